import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import { currentBatchGate, RequestLoader } from '../src/db/batch-gate.ts';
import { runInRequestScope } from '../src/request-context.ts';

/** A statement of the current request: in flight until its reply arrives (`ms` later, in a macrotask of its own). */
async function statement(reply: number | Promise<void>): Promise<void> {
  const gate = currentBatchGate();
  gate?.statementStarted();
  try {
    await (typeof reply === 'number' ? new Promise((resolve) => setTimeout(resolve, reply)) : reply);
  } finally {
    gate?.statementEnded();
  }
}

/** A loader that records the keys of each batch it is given. */
function recorded<L extends DataLoader<string, string>>(make: (batch: DataLoader.BatchLoadFn<string, string>) => L) {
  const batches: string[][] = [];
  const loader = make(async (keys) => {
    batches.push([...keys]);
    return keys.map((k) => `value of ${k}`);
  });
  return { loader, batches };
}

/** Two branches of a query that reach the same loader after replies of different statements. */
async function twoBranches(loader: DataLoader<string, string>) {
  return Promise.all([
    statement(1).then(() => loader.load('a')),
    statement(1).then(() => statement(30)).then(() => loader.load('b')),
  ]);
}

describe('loader batches in waves', () => {
  it("puts keys that follow different replies of one request in one batch (DataLoader's own scheduler makes two)", async () => {
    const gated = recorded((batch) => new RequestLoader(batch));
    expect(await runInRequestScope({ requestId: 'r1' }, () => twoBranches(gated.loader))).toEqual(['value of a', 'value of b']);
    expect(gated.batches).toEqual([['a', 'b']]);

    const plain = recorded((batch) => new DataLoader(batch));
    await runInRequestScope({ requestId: 'r2' }, () => twoBranches(plain.loader));
    expect(plain.batches).toEqual([['a'], ['b']]);
  });

  it('dispatches a batch whose function loads from another loader of the request', async () => {
    const inner = recorded((batch) => new RequestLoader(batch));
    const outer = new RequestLoader<string, string>(async (keys) => {
      await statement(1);
      return inner.loader.loadMany(keys.map((k) => `${k}'`)) as Promise<string[]>;
    });
    const answers = await runInRequestScope({ requestId: 'r3' }, () => Promise.all([outer.load('x'), statement(5).then(() => outer.load('y'))]));
    expect(answers).toEqual(["value of x'", "value of y'"]);
    expect(inner.batches).toEqual([["x'", "y'"]]);
  });

  it("does not hold one request's batch for another request's statements", async () => {
    let reply!: () => void;
    const other = runInRequestScope({ requestId: 'slow' }, () => statement(new Promise<void>((resolve) => (reply = resolve))));
    const { loader, batches } = recorded((batch) => new RequestLoader(batch));
    expect(await runInRequestScope({ requestId: 'quick' }, () => loader.load('k'))).toBe('value of k');
    expect(batches).toEqual([['k']]);
    // The other request's statement is still in flight: it did not hold this one.
    expect(await Promise.race([other.then(() => 'ended'), Promise.resolve('in flight')])).toBe('in flight');
    reply();
    await other;
  });

  it('batches outside a request as DataLoader does', async () => {
    const { loader, batches } = recorded((batch) => new RequestLoader(batch));
    expect(await Promise.all([loader.load('p'), loader.load('q')])).toEqual(['value of p', 'value of q']);
    expect(batches).toEqual([['p', 'q']]);
  });
});
