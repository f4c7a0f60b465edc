import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FEED_WAKEUP_PATH, generateSigningKeyPair, type Logger } from '@hub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { followFeed, type FeedFollower, type FeedPosition } from '../src/subscriptions/feed.ts';

/**
 * The gateway's side of a department's wake-up stream (`followFeed`), against a stand-in department whose answers the
 * test holds and releases: what a loaded machine does to the real one (a stream that opens only after a subscribe's
 * wait for the head ran out), played out in a chosen order rather than hoped for.
 */
const { privateKey } = generateSigningKeyPair();
const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
const position = (sequence: number): FeedPosition => ({ sequence, cursor: `c${sequence}` });
const frame = (event: 'head' | 'wake', at: FeedPosition) => `event: ${event}\ndata: ${JSON.stringify(at)}\n\n`;

/** A department's wake-up route whose every stream is held, unanswered, until the test answers it. */
async function heldDepartment() {
  const held: ServerResponse[] = [];
  const waiting: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url !== FEED_WAKEUP_PATH) return res.writeHead(404).end();
    held.push(res);
    for (const wake of waiting.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${FEED_WAKEUP_PATH}`;
  return {
    url,
    held,
    /** Waits until `count` streams have been asked for. */
    async asked(count: number) {
      while (held.length < count) await new Promise<void>((resolve) => waiting.push(resolve));
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Lets every timer due no later than one set now fire first: timers of one duration fire in the order they were set. */
const afterTimersSetBefore = () => new Promise((resolve) => setTimeout(resolve, 0));

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function follow(url: string) {
  const wakes: [FeedPosition, boolean][] = [];
  let woken = () => {};
  const follower: FeedFollower = followFeed({
    url,
    subgraph: 'mediation',
    internalKey: privateKey,
    logger: silent,
    onWake: (at, reconnected) => (wakes.push([at, reconnected]), woken()),
  });
  cleanup.push(() => follower.close());
  /** Waits until `count` wake-ups have come. */
  const woke = async (count: number) => {
    while (wakes.length < count) await new Promise<void>((resolve) => (woken = resolve));
  };
  return { follower, wakes, woke };
}

/**
 * A head asked for whose own wait (0 ms) has run out while the department has the stream's request but has not
 * answered it: slow, not away. Answers the held stream and the head's promise.
 */
async function headPastItsWait() {
  const department = await heldDepartment();
  cleanup.push(department.close);
  const { follower } = follow(department.url);
  await department.asked(1);
  const head = follower.head(0);
  await afterTimersSetBefore();
  return { stream: department.held[0]!, head };
}

describe('the head a subscribe starts from', () => {
  it('is waited for past its wait while the stream is being opened, and given once it opens', async () => {
    const { stream, head } = await headPastItsWait();
    stream.writeHead(200, { 'content-type': 'text/event-stream' });
    stream.write(frame('head', position(7)));
    expect(await head).toEqual(position(7));
  });

  it('is none when the attempt under way at the end of its wait fails', async () => {
    const { stream, head } = await headPastItsWait();
    stream.writeHead(503).end();
    expect(await head).toBeNull();
  });

  it('is none once its wait runs out while the subgraph is away (no attempt answers)', async () => {
    const department = await heldDepartment();
    const { url } = department;
    await department.close();
    const { follower } = follow(url);
    expect(await follower.head(0)).toBeNull();
  });
});

describe('the wake-up of an opening stream', () => {
  it('wakes the subscriptions on the first opening too, and on each reopening', async () => {
    const department = await heldDepartment();
    cleanup.push(department.close);
    const { follower, wakes, woke } = follow(department.url);
    await department.asked(1);
    // Subscribers resuming from a cursor are admitted before the stream first opens: what committed meanwhile is
    // read when it opens, as after a reconnection.
    department.held[0]!.writeHead(200, { 'content-type': 'text/event-stream' });
    department.held[0]!.write(frame('head', position(3)));
    expect(await follower.head()).toEqual(position(3));
    expect(wakes).toEqual([[position(3), false]]);
    department.held[0]!.write(frame('wake', position(4)));
    department.held[0]!.end();
    await department.asked(2);
    department.held[1]!.writeHead(200, { 'content-type': 'text/event-stream' });
    department.held[1]!.write(frame('head', position(5)));
    await woke(3);
    expect(wakes).toEqual([
      [position(3), false],
      [position(4), false],
      [position(5), true],
    ]);
  });
});
