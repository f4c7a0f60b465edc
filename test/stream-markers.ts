/**
 * A stream the server refused or ended while a test waited on it (a subscribe refused with 503, a dropped connection):
 * its waits fail at once with what the client was told, rather than at their deadline with nothing to go on.
 */
export class StreamEnded extends Error {
  constructor(what: string, reason: unknown) {
    super(`the stream ended while waiting for ${what}: ${describe(reason)}`);
  }
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  // graphql-ws closes with a CloseEvent; graphql-sse may end with the server's GraphQL errors.
  if (reason && typeof reason === 'object' && 'code' in reason) return `closed ${String((reason as { code: unknown }).code)} ${String((reason as { reason?: unknown }).reason ?? '')}`;
  return JSON.stringify(reason);
}

/** How many markers `followingFrom` reports before it gives up on a stream that never had one. */
const MARKER_ATTEMPTS = 8;

/**
 * Waits until the streams are admitted and following: a marker committed after that reaches every one. A stream
 * admitted after a marker committed starts past it (at the feed's head) and never sees it, which a loaded machine makes
 * likely, so another marker follows until one reaches them all; the one answered is the last reported. Streams that
 * have had an event are following: their marker comes, however slowly, and none other is reported for them.
 */
export async function followingFrom<S>(
  mark: () => Promise<string>,
  streams: S[],
  stream: { hadEvents(s: S): boolean; until(s: S, marker: string, timeoutMs: number): Promise<void> },
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const marker = await mark();
    const following = streams.every((s) => stream.hadEvents(s));
    const wait = following || attempt === MARKER_ATTEMPTS ? 20_000 : 3_000;
    try {
      await Promise.all(streams.map((s) => stream.until(s, marker, wait)));
      return marker;
    } catch (error) {
      if (following || attempt === MARKER_ATTEMPTS || error instanceof StreamEnded) throw error;
    }
  }
}
