// The keyed work queue: coalescing, one run per key at a time, bounded concurrency, retries and shutdown.
import { retryDelay, WorkQueue } from './queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler whose runs stay open until released, recording what ran and how many ran at once. */
function gatedHandler() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  let active = 0;
  let maxActive = 0;
  const perKey = new Map<string, number>();
  let maxPerKey = 0;
  const handler = async (key: string) => {
    started.push(key);
    active++;
    maxActive = Math.max(maxActive, active);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    maxPerKey = Math.max(maxPerKey, perKey.get(key) ?? 0);
    await new Promise<void>((resolve) => gates.set(key, resolve));
    active--;
    perKey.set(key, (perKey.get(key) ?? 1) - 1);
  };
  const release = async (key: string) => {
    for (let i = 0; i < 100 && !gates.has(key); i++) await sleep(1);
    const open = gates.get(key);
    if (!open) throw new Error(`${key} is not running`);
    gates.delete(key);
    open();
    await sleep(1);
  };
  return { handler, release, started, stats: () => ({ maxActive, maxPerKey }) };
}

describe('WorkQueue', () => {
  it('coalesces repeated adds of a waiting key into one run', async () => {
    const gate = gatedHandler();
    const queue = new WorkQueue(gate.handler, { concurrency: 1 });
    // 'x' occupies the only worker, so the following adds wait together.
    queue.add('x');
    for (const key of ['a', 'b', 'a', 'a', 'b', 'c']) queue.add(key);
    expect(queue.length).toBe(3);
    for (const key of ['x', 'a', 'b', 'c']) await gate.release(key);
    await queue.idle();
    expect(gate.started).toEqual(['x', 'a', 'b', 'c']);
  });

  it('never runs one key twice at once; an add during a run runs it once more afterwards', async () => {
    const gate = gatedHandler();
    const queue = new WorkQueue(gate.handler, { concurrency: 4 });
    queue.add('a');
    await sleep(1);
    queue.add('a');
    queue.add('a');
    queue.add('b');
    await sleep(5);
    expect(gate.started).toEqual(['a', 'b']);
    await gate.release('a');
    expect(gate.started).toEqual(['a', 'b', 'a']);
    await gate.release('a');
    await gate.release('b');
    await queue.idle();
    expect(gate.started).toEqual(['a', 'b', 'a']);
    expect(gate.stats().maxPerKey).toBe(1);
  });

  it('bounds concurrency across keys', async () => {
    const gate = gatedHandler();
    const queue = new WorkQueue(gate.handler, { concurrency: 2 });
    for (const key of ['a', 'b', 'c', 'd']) queue.add(key);
    await sleep(5);
    expect(gate.started).toEqual(['a', 'b']);
    expect(queue.length).toBe(2);
    await gate.release('a');
    expect(gate.started).toEqual(['a', 'b', 'c']);
    for (const key of ['b', 'c', 'd']) await gate.release(key);
    await queue.idle();
    expect(gate.stats().maxActive).toBe(2);
  });

  it('retries a failing key with growing delays and resets after a success', async () => {
    const attempts: number[] = [];
    const errors: number[] = [];
    let failUntil = 3;
    const queue = new WorkQueue(
      async () => {
        attempts.push(Date.now());
        if (attempts.length <= failUntil) throw new Error('apiserver said no');
      },
      { baseDelayMs: 20, maxDelayMs: 1000, onError: (_key, _error, failures) => errors.push(failures) },
    );
    queue.add('k');
    const deadline = Date.now() + 5000;
    while (attempts.length < 4 && Date.now() < deadline) await sleep(5);
    expect(attempts).toHaveLength(4);
    expect(errors).toEqual([1, 2, 3]);
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] as number));
    // 20, 40, 80 ms (timers fire no earlier than asked).
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    // After the success the count starts again at 1.
    failUntil = 5;
    queue.add('k');
    while (attempts.length < 6 && Date.now() < deadline) await sleep(5);
    expect(errors).toEqual([1, 2, 3, 1]);
    await queue.shutdown();
  });

  it('shutdown drops waiting keys and retries and waits for running ones', async () => {
    const gate = gatedHandler();
    const queue = new WorkQueue(gate.handler, { concurrency: 1 });
    queue.add('a');
    queue.add('b');
    await sleep(2);
    let finished = false;
    const done = queue.shutdown().then(() => {
      finished = true;
    });
    await sleep(5);
    expect(finished).toBe(false);
    await gate.release('a');
    await done;
    queue.add('c');
    await sleep(5);
    expect(gate.started).toEqual(['a']);
  });

  it('computes capped exponential delays', () => {
    expect([1, 2, 3, 4, 10, 100].map((n) => retryDelay(n, 100, 1000))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
