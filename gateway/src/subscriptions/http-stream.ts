import type { ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from 'graphql';
import type { Delivery, Sink } from './hub.ts';

/** How one HTTP transport (SSE, Apollo's multipart) writes a subscription on a response. */
export interface StreamFormat {
  /** Writes the status, the headers and whatever the body starts with. */
  start(res: ServerResponse): void;
  /** What keeps proxies and clients from taking an idle stream for dead, and how often. */
  heartbeat: { text: string; everyMs: number };
  /** An event's frame: the same for every subscriber of a group (so built once per delivery, `frames.ts`). */
  event(delivery: Delivery): string | Buffer;
  /** The errors a stream the server ends carries. */
  errors(errors: GraphQLFormattedError[]): string;
  /** The last bytes of the body. */
  close: string;
}

/**
 * A subscription's stream over one HTTP response: opened on the first event (or at once, by the caller), ended once,
 * and silent after the client has gone.
 */
export function openHttpStream(res: ServerResponse, format: StreamFormat) {
  let opened = false;
  let ended = false;
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const untilClosed = new Promise<void>((resolve) =>
    res.once('close', () => {
      closed = true;
      clearInterval(heartbeat);
      resolve();
    }),
  );
  const open = () => {
    if (opened || closed) return;
    opened = true;
    format.start(res);
    heartbeat = setInterval(() => res.write(format.heartbeat.text), format.heartbeat.everyMs);
    heartbeat.unref();
  };
  const sink: Sink = {
    next(delivery) {
      if (ended || closed) return;
      open();
      res.write(format.event(delivery));
    },
    buffered: () => res.writableLength,
    end(errors) {
      if (ended || closed) return;
      ended = true;
      open();
      if (errors?.length) res.write(format.errors(errors));
      res.end(format.close);
    },
  };
  return { sink, open, untilClosed, closed: () => closed };
}
