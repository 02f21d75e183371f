// Trino Gateway runs every matching rule by ascending priority and the last result.put wins;
// Junction takes the first match. These tests route the same requests both ways (an MVEL oracle
// against the converted resources) for the documented cases and for random rule sets.
import { describe, expect, test } from '@jest/globals';
import { gatewayRoute, junctionRoute, MvelThrows, type SampleRequest } from '../../../test/harness/mvel-oracle.js';
import { seededRandom } from '../../../test/harness/seeded-random.js';
import { migrate } from './migration.js';

const OPTIONS = { defaultGroup: 'adhoc', labelKey: 'pool', strategy: 'Random' } as const;

function convert(rules: string): string {
  const result = migrate({ rules: { file: 'rules.yaml', text: rules }, options: OPTIONS, skipUnconvertible: false });
  if (result.output === undefined) throw new Error([...result.fatal, ...result.unconvertible].join('\n'));
  return result.output;
}

interface Rule {
  name: string;
  priority?: number;
  condition: string;
  actions: string[];
}

const yaml = (rules: Rule[]) => rules.map((rule) => `---\n${JSON.stringify(rule)}\n`).join('');
const put = (group: string) => `result.put("routingGroup", "${group}")`;
const source = (value: string) => `request.getHeader("X-Trino-Source") == "${value}"`;
const tags = (value: string) => `request.getHeader("X-Trino-Client-Tags") contains "${value}"`;

/** Both gateways agree on every sample on which Trino Gateway's MVEL does not throw. */
function expectSameRouting(rules: string, samples: readonly SampleRequest[]): void {
  const output = convert(rules);
  for (const sample of samples) {
    let expected: string;
    try {
      expected = gatewayRoute(rules, sample);
    } catch (error) {
      if (error instanceof MvelThrows) continue;
      throw error;
    }
    expect({ sample, group: junctionRoute(output, sample) }).toEqual({ sample, group: expected });
  }
}

const AIRFLOW = { headers: { 'X-Trino-Source': 'airflow' } };
const SPECIAL = { headers: { 'X-Trino-Source': 'airflow', 'X-Trino-Client-Tags': 'email=a@b.c,label=special' } };
const TAGS_ONLY = { headers: { 'X-Trino-Client-Tags': 'label=special' } };
const airflow: Rule = { name: 'airflow', condition: source('airflow'), actions: [put('etl')] };
const special: Rule = {
  name: 'airflow special',
  condition: `${source('airflow')} && ${tags('label=special')}`,
  actions: [put('etl-special')],
};

describe('the documented rule examples', () => {
  test('equal priorities: the later rule in the file overwrites the earlier', () => {
    const rules = yaml([airflow, special]);
    expect(gatewayRoute(rules, SPECIAL)).toBe('etl-special');
    expect(junctionRoute(convert(rules), SPECIAL)).toBe('etl-special');
    expectSameRouting(rules, [AIRFLOW, SPECIAL, TAGS_ONLY, {}]);
  });

  test('swapping the two rules makes the general rule win', () => {
    const rules = yaml([special, airflow]);
    expect(junctionRoute(convert(rules), SPECIAL)).toBe('etl');
    expectSameRouting(rules, [AIRFLOW, SPECIAL, TAGS_ONLY, {}]);
  });

  test('priorities order the rules whatever the file order: the higher number runs last and wins', () => {
    const rules = yaml([
      { ...special, priority: 1 },
      { ...airflow, priority: 0 },
    ]);
    expect(junctionRoute(convert(rules), SPECIAL)).toBe('etl-special');
    expectSameRouting(rules, [AIRFLOW, SPECIAL, TAGS_ONLY, {}]);
  });

  test('if / else if / else inside an action', () => {
    const action = `if (${tags('label=foo')}) { ${put('etl-foo')} } else if (${tags('label=bar')}) { ${put('etl-bar')} } else { ${put('etl')} }`;
    const rules = yaml([{ name: 'airflow rules', condition: source('airflow'), actions: [action] }]);
    const withTags = (t: string) => ({ headers: { 'X-Trino-Source': 'airflow', 'X-Trino-Client-Tags': t } });
    expect(junctionRoute(convert(rules), withTags('label=bar'))).toBe('etl-bar');
    expectSameRouting(rules, [AIRFLOW, withTags('label=foo'), withTags('label=bar,label=foo'), withTags('x'), {}]);
  });

  test('a catch-all rule with a negative priority runs first and is overwritten by any other match', () => {
    const rules = yaml([
      { name: 'user', condition: 'trinoRequestUser.userExistsAndEquals("will")', actions: [put('will-group')] },
      { name: 'nomatch', priority: -1, condition: 'true', actions: [put('no-match')] },
    ]);
    const basic = { headers: { Authorization: `Basic ${Buffer.from('will:supersecret').toString('base64')}` } };
    expect(junctionRoute(convert(rules), basic)).toBe('will-group');
    expect(junctionRoute(convert(rules), {})).toBe('no-match');
    expectSameRouting(rules, [basic, {}, { headers: { 'X-Trino-User': 'will' } }]);
  });
});

describe('overwrites between groups', () => {
  test('a group whose rules are interleaved with another group gets negations, and stays exact', () => {
    const has = (h: string) => `request.getHeader("${h}") != null`;
    const rules = yaml([
      { name: 'a', priority: 0, condition: has('X-A'), actions: [put('x')] },
      { name: 'b', priority: 1, condition: has('X-B'), actions: [put('y')] },
      { name: 'c', priority: 2, condition: has('X-C'), actions: [put('x')] },
    ]);
    const output = convert(rules);
    expect(output).toContain('condition: \'"x-a" in request.headers && !("x-b" in request.headers)\'');
    const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((bits) => ({
      headers: Object.fromEntries(['X-A', 'X-B', 'X-C'].filter((_, i) => bits & (1 << i)).map((h) => [h, '1'])),
    }));
    expectSameRouting(rules, samples);
  });

  test('a later write of "" or of the default group sends the request back to the default group', () => {
    const rules = yaml([
      { name: 'etl', condition: source('airflow'), actions: [put('etl')] },
      { name: 'reset', priority: 1, condition: tags('interactive'), actions: [put('')] },
      {
        name: 'two writes',
        priority: 2,
        condition: tags('x'),
        actions: [put('bi'), put('adhoc'), 'result.put("note", "n")'],
      },
    ]);
    const sample = (t: string) => ({ headers: { 'X-Trino-Source': 'airflow', 'X-Trino-Client-Tags': t } });
    expect(junctionRoute(convert(rules), sample('interactive'))).toBe('adhoc');
    expectSameRouting(rules, [sample('interactive'), sample('x'), sample('y'), AIRFLOW, {}]);
  });
});

describe('random rule sets route like Trino Gateway', () => {
  const conditions = [
    'request.getHeader("X-A") == "1"',
    'request.getHeader("X-A") != "2"',
    'request.getHeader("X-B") != null',
    'request.getHeader("X-B") == null || request.getHeader("X-A") == "1"',
    'request.getHeader("X-C") contains "z"',
    '!(request.getHeader("X-C") contains "y") && request.getHeader("X-B") == request.getHeader("X-C")',
    'trinoRequestUser.userExistsAndEquals("u1")',
    'trinoRequestUser.getUser().isPresent() && !request.getMethod().equals("GET")',
    'true',
  ];
  const groups = ['g1', 'g2', 'g3', 'adhoc', ''];
  const samples: SampleRequest[] = [];
  for (const a of [undefined, '1', '2'])
    for (const b of [undefined, 'z'])
      for (const c of [undefined, 'z', 'y'])
        for (const user of [undefined, 'u1', 'u2'])
          for (const method of ['POST', 'GET']) {
            const entries = Object.entries({ 'X-A': a, 'X-B': b, 'X-C': c, 'X-Trino-User': user });
            samples.push({ method, headers: Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as never });
          }

  test('200 rule sets over 108 requests each', () => {
    const random = seededRandom(20260901);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
    for (let set = 0; set < 200; set++) {
      const rules: Rule[] = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) => {
        const action =
          random() < 0.25
            ? `if (${pick(conditions)}) { ${put(pick(groups))} } else { ${put(pick(groups))} }`
            : put(pick(groups));
        return {
          name: `r${i}`,
          priority: Math.floor(random() * 3) - 1,
          condition: pick(conditions),
          actions: [action],
        };
      });
      expectSameRouting(yaml(rules), samples);
    }
  });
});
