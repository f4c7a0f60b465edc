// Subscriptions from the browser: GraphQL over SSE (graphql-sse's distinct connections mode) read with fetch, so the
// bearer token travels in a header (an EventSource cannot send one). Plain browser JavaScript, served as is.
'use strict';
window.HubStream = {
  /** Each payload of a subscription as it arrives; a refusal before the stream opens is yielded once, as answered. */
  async *subscribe(path, headers, params, signal) {
    const response = await fetch(path, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'text/event-stream' }, headers),
      body: JSON.stringify(params),
      signal,
    });
    if (!response.ok) {
      yield await response.json();
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = '';
          let data = '';
          for (const line of frame.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (event === 'next' && data) yield JSON.parse(data);
          if (event === 'complete') return;
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  },
};
