// Random: members are chosen in proportion to their weight (seeded, so the counts are exact).
import { seededRandom as mulberry32 } from '../../../../test/harness/seeded-random.js';
import { createChooser } from './index.js';

const member = (name: string, weight: number, load = 0) => ({ name, weight, load });

describe('Random (weighted)', () => {
  test('shares follow the weights', () => {
    const chooser = createChooser('Random', mulberry32(42));
    const group = [member('a', 5), member('b', 1), member('c', 1), member('zero', 0)];
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, zero: 0 };
    const n = 70_000;
    for (let i = 0; i < n; i++) {
      const name = chooser.choose(group)?.name as string;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts['zero']).toBe(0);
    expect((counts['a'] as number) / n).toBeCloseTo(5 / 7, 2);
    expect((counts['b'] as number) / n).toBeCloseTo(1 / 7, 2);
    expect((counts['c'] as number) / n).toBeCloseTo(1 / 7, 2);
  });

  test('maps the random number onto cumulative weights', () => {
    const group = [member('a', 1), member('b', 3)];
    const at = (value: number) => createChooser('Random', () => value).choose(group)?.name;
    expect(at(0)).toBe('a');
    expect(at(0.2499)).toBe('a');
    expect(at(0.25)).toBe('b');
    expect(at(0.9999999)).toBe('b');
  });

  test('never picks weight 0, negative or non-finite weights; empty gives nothing', () => {
    const group = [member('a', 0), member('b', -2), member('c', Number.POSITIVE_INFINITY), member('d', 1)];
    const chooser = createChooser('Random', mulberry32(1));
    for (let i = 0; i < 100; i++) expect(chooser.choose(group)?.name).toBe('d');
    expect(chooser.choose([])).toBeUndefined();
    expect(chooser.choose([member('a', 0)])).toBeUndefined();
  });
});
