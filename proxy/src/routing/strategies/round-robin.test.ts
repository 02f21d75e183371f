// RoundRobin: members take turns in proportion to their weight, smoothly.
import { createChooser } from './index.js';

const member = (name: string, weight: number, load = 0) => ({ name, weight, load });

function picks(chooser: ReturnType<typeof createChooser>, candidates: Parameters<typeof chooser.choose>[0], n: number) {
  const names: (string | undefined)[] = [];
  for (let i = 0; i < n; i++) names.push(chooser.choose(candidates)?.name);
  return names;
}

describe('RoundRobin (smooth weighted)', () => {
  test('weights 5,1,1 interleave the heavy member, period after period', () => {
    const chooser = createChooser('RoundRobin');
    const group = [member('a', 5), member('b', 1), member('c', 1)];
    const period = ['a', 'a', 'b', 'a', 'c', 'a', 'a'];
    expect(picks(chooser, group, 21)).toEqual([...period, ...period, ...period]);
  });

  test('equal weights rotate in order', () => {
    const chooser = createChooser('RoundRobin');
    expect(picks(chooser, [member('a', 1), member('b', 1), member('c', 1)], 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  test('ignores load and never picks weight 0 or less', () => {
    const chooser = createChooser('RoundRobin');
    const group = [member('a', 0, 0), member('b', 2, 100), member('c', -1), member('d', Number.NaN), member('e', 1, 5)];
    expect(picks(chooser, group, 6)).toEqual(['b', 'e', 'b', 'b', 'e', 'b']);
  });

  test('empty or all-zero groups give nothing', () => {
    const chooser = createChooser('RoundRobin');
    expect(chooser.choose([])).toBeUndefined();
    expect(chooser.choose([member('a', 0)])).toBeUndefined();
  });

  test('copes with members leaving and joining between calls', () => {
    const chooser = createChooser('RoundRobin');
    const a = member('a', 1);
    const b = member('b', 1);
    const c = member('c', 1);
    expect(picks(chooser, [a, b, c], 2)).toEqual(['a', 'b']);
    // c leaves (unhealthy): a and b keep alternating.
    expect(picks(chooser, [a, b], 4)).toEqual(['a', 'b', 'a', 'b']);
    // c returns without credit from before and gets its share.
    const counts = new Map<string, number>();
    for (const name of picks(chooser, [a, b, c], 300))
      counts.set(name as string, (counts.get(name as string) ?? 0) + 1);
    expect(counts).toEqual(
      new Map([
        ['a', 100],
        ['b', 100],
        ['c', 100],
      ]),
    );
  });

  test('a weight change takes effect on the following picks', () => {
    const chooser = createChooser('RoundRobin');
    picks(chooser, [member('a', 1), member('b', 1)], 3);
    const after = picks(chooser, [member('a', 3), member('b', 1)], 400);
    expect(after.filter((name) => name === 'a').length).toBeGreaterThanOrEqual(299);
    expect(after.filter((name) => name === 'a').length).toBeLessThanOrEqual(301);
  });

  test('each chooser keeps its own rotation', () => {
    const group = [member('a', 1), member('b', 1)];
    const first = createChooser('RoundRobin');
    const second = createChooser('RoundRobin');
    expect(first.choose(group)?.name).toBe('a');
    expect(second.choose(group)?.name).toBe('a');
    expect(first.choose(group)?.name).toBe('b');
  });
});
