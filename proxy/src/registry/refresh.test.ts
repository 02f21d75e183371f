// SerialRefresh: one refresh at a time, a request during a run causes exactly one more run.
import { SerialRefresh } from './refresh.js';

/** A read that stays open until the test lets it finish. */
function gatedReads() {
  const gates: Array<() => void> = [];
  let started = 0;
  const read = () =>
    new Promise<void>((resolve) => {
      started++;
      gates.push(resolve);
    });
  return { read, gates, started: () => started };
}

describe('SerialRefresh', () => {
  test('calls during a read share it and cause exactly one more read after it', async () => {
    const { read, gates, started } = gatedReads();
    const refresh = new SerialRefresh(read, () => false);
    const first = refresh.run();
    const second = refresh.run();
    const third = refresh.run();
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(started()).toBe(1);
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started()).toBe(2); // the follow-up read, for the calls made while the first ran
    gates.shift()?.();
    await first;
    expect(started()).toBe(2);
    expect(refresh.running).toBeUndefined();
  });

  test('a call after the last read settled starts a new one', async () => {
    let reads = 0;
    const refresh = new SerialRefresh(
      async () => {
        reads++;
      },
      () => false,
    );
    await refresh.run();
    await refresh.run();
    expect(reads).toBe(2);
  });

  test('once stopped, no extra round runs; a failing read still clears the running state', async () => {
    const { read, gates, started } = gatedReads();
    let stopped = false;
    const refresh = new SerialRefresh(read, () => stopped);
    const pending = refresh.run();
    void refresh.run();
    stopped = true;
    gates.shift()?.();
    await pending;
    expect(started()).toBe(1);
    const failing = new SerialRefresh(
      () => Promise.reject(new Error('down')),
      () => false,
    );
    await expect(failing.run()).rejects.toThrow('down');
    expect(failing.running).toBeUndefined();
  });
});
