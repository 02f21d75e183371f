// Label selectors: matchLabels and matchExpressions as Kubernetes evaluates them, and invalid requirements.
import type { LabelSelector } from './schemas/resources.js';
import { matchesSelector, selectorProblems } from './selector.js';

const labels = { pool: 'adhoc', tier: 'gold' };

describe('matchesSelector', () => {
  it('matches everything with an empty selector', () => {
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesSelector({}, {})).toBe(true);
  });

  it('requires every matchLabels entry', () => {
    expect(matchesSelector({ matchLabels: { pool: 'adhoc' } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { pool: 'adhoc', tier: 'gold' } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { pool: 'adhoc', tier: 'silver' } }, labels)).toBe(false);
    expect(matchesSelector({ matchLabels: { region: 'eu' } }, labels)).toBe(false);
  });

  it('does not treat inherited properties as labels', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).toBe(false);
  });

  it.each<[LabelSelector, boolean]>([
    [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['etl', 'adhoc'] }] }, true],
    [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['etl'] }] }, false],
    [{ matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] }, false],
    [{ matchExpressions: [{ key: 'pool', operator: 'NotIn', values: ['etl'] }] }, true],
    [{ matchExpressions: [{ key: 'pool', operator: 'NotIn', values: ['adhoc'] }] }, false],
    [{ matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'region', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
  ])('%j → %s', (selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });

  it('ANDs matchLabels with all matchExpressions', () => {
    const selector: LabelSelector = {
      matchLabels: { pool: 'adhoc' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['gold'] },
        { key: 'retired', operator: 'DoesNotExist' },
      ],
    };
    expect(matchesSelector(selector, labels)).toBe(true);
    expect(matchesSelector(selector, { ...labels, retired: 'yes' })).toBe(false);
    expect(matchesSelector(selector, { ...labels, pool: 'etl' })).toBe(false);
  });
});

describe('selectorProblems', () => {
  it('accepts a valid selector', () => {
    expect(
      selectorProblems({
        matchExpressions: [
          { key: 'a', operator: 'In', values: ['x'] },
          { key: 'b', operator: 'Exists' },
          { key: 'c', operator: 'DoesNotExist', values: [] },
        ],
      }),
    ).toEqual([]);
  });

  it('names each requirement whose values do not fit its operator', () => {
    expect(
      selectorProblems({
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'NotIn', values: [] },
          { key: 'c', operator: 'Exists', values: ['x'] },
          { key: 'd', operator: 'DoesNotExist', values: ['y'] },
        ],
      }),
    ).toEqual([
      'matchExpressions[0].values: must be non-empty for operator In',
      'matchExpressions[1].values: must be non-empty for operator NotIn',
      'matchExpressions[2].values: must be empty for operator Exists',
      'matchExpressions[3].values: must be empty for operator DoesNotExist',
    ]);
  });
});
