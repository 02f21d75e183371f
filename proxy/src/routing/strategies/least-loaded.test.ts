// LeastLoaded: the least loaded member wins, weights scale load, ties are broken at random (seeded).
import { seededRandom as mulberry32 } from '../../../../test/harness/seeded-random.js';
import { createChooser } from './index.js';

const member = (name: string, weight: number, load: number) => ({ name, weight, load });

describe('LeastLoaded', () => {
  test('picks the least loaded member', () => {
    const chooser = createChooser('LeastLoaded', mulberry32(3));
    const group = [member('a', 1, 7), member('b', 1, 2), member('c', 1, 5)];
    for (let i = 0; i < 50; i++) expect(chooser.choose(group)?.name).toBe('b');
  });

  test('compares load relative to weight', () => {
    const chooser = createChooser('LeastLoaded', mulberry32(3));
    // a: 6/3 = 2 per unit of weight, b: 3/1 = 3.
    expect(chooser.choose([member('a', 3, 6), member('b', 1, 3)])?.name).toBe('a');
    // a: 9/3 = 3, b: 2/1 = 2.
    expect(chooser.choose([member('a', 3, 9), member('b', 1, 2)])?.name).toBe('b');
  });

  test('breaks ties by weight', () => {
    const chooser = createChooser('LeastLoaded', mulberry32(99));
    const group = [member('a', 3, 0), member('b', 1, 0), member('busy', 5, 10)];
    const counts: Record<string, number> = { a: 0, b: 0, busy: 0 };
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const name = chooser.choose(group)?.name as string;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts['busy']).toBe(0);
    expect((counts['a'] as number) / n).toBeCloseTo(0.75, 2);
    expect((counts['b'] as number) / n).toBeCloseTo(0.25, 2);
  });

  test('equal load per weight is a tie even with different raw loads', () => {
    const group = [member('a', 1, 2), member('b', 3, 6), member('c', 1, 3)];
    const at = (value: number) => createChooser('LeastLoaded', () => value).choose(group)?.name;
    expect(at(0.1)).toBe('a');
    expect(at(0.5)).toBe('b');
    expect(at(0.99)).toBe('b');
  });

  test('spreads new queries as their load is counted', () => {
    const chooser = createChooser('LeastLoaded', mulberry32(5));
    const loads = new Map([
      ['a', 0],
      ['b', 0],
    ]);
    for (let i = 0; i < 30; i++) {
      const group = [member('a', 2, loads.get('a') as number), member('b', 1, loads.get('b') as number)];
      const name = chooser.choose(group)?.name as string;
      loads.set(name, (loads.get(name) as number) + 1);
    }
    expect(loads).toEqual(
      new Map([
        ['a', 20],
        ['b', 10],
      ]),
    );
  });

  test('never picks weight 0 or less even when idle; bad loads count as idle', () => {
    const chooser = createChooser('LeastLoaded', mulberry32(8));
    const group = [member('zero', 0, 0), member('neg', -1, 0), member('a', 1, 4), member('nan', 1, Number.NaN)];
    for (let i = 0; i < 20; i++) expect(chooser.choose(group)?.name).toBe('nan');
    expect(chooser.choose([])).toBeUndefined();
    expect(chooser.choose([member('zero', 0, 0)])).toBeUndefined();
  });
});
