// Rules the converter refuses: each is reported as file:line with the rule name and the reason,
// nothing is written unless skipping was asked for, and skipping writes the rest and lists them.
import { describe, expect, test } from '@jest/globals';
import { parseResources } from '@junction/shared';
import { migrate } from './migration.js';
import { readRulesFile } from './rules-file.js';

const OPTIONS = { defaultGroup: 'adhoc', labelKey: 'pool', strategy: 'Random' } as const;

// Line numbers matter here: each rule's offending text sits on a known line.
const RULES = `---
name: "fine"
condition: 'request.getHeader("X-Trino-Source") == "airflow"'
actions: ['result.put("routingGroup", "etl")']
---
name: "uses state"
priority: 1
condition: |
  request.getHeader("X-Trino-Source") == "airflow"
  && state.get("triggeredRules").contains("airflow")
actions: ['result.put("routingGroup", "etl-special")']
---
name: "computed group"
condition: "true"
actions:
  - 'result.put("routingGroup", request.getHeader("X-Trino-Routing-Group"))'
---
name: "other action"
condition: "true"
actions:
  - 'state.put("seen", true)'
---
name: "remote address"
condition: 'request.getRemoteAddr().startsWith("10.")'
actions: ['result.put("routingGroup", "internal")']
---
name: "lookahead"
condition: 'request.getHeader("X-Trino-Source").matches("(?!test).*")'
actions: ['result.put("routingGroup", "prod")']
---
name: "typo"
condition: 'request.getHeader("X-Trino-Source") = "airflow"'
actions: ['result.put("routingGroup", "etl")']
---
name: "unknown key"
condition: "true"
action: ['result.put("routingGroup", "etl")']
---
name: "Bad_Group!"
condition: "true"
actions: ['result.put("routingGroup", "!!!")']
`;

const EXPECTED = [
  'rules.yaml:10: rule "uses state": state passes values from one rule to the next; Junction rules are independent, so repeat the condition instead (column 4: state.get("triggeredRules").co…)',
  'rules.yaml:16: rule "computed group": the routing group must be a string literal (a computed group is not converted) (column 28: request.getHeader("X-Trino-Rou…)',
  'rules.yaml:21: rule "other action": state passes values from one rule to the next; Junction rules are independent, so repeat the condition instead (column 1: state.put("seen", true))',
  'rules.yaml:24: rule "remote address": request.getRemoteAddr() is not converted: it has no counterpart among Junction rule variables (column 9: getRemoteAddr().startsWith("10…)',
  'rules.yaml:28: rule "lookahead": regular expression not converted: lookaround, atomic and named groups are not supported by RE2 (column 37: matches("(?!test).*"))',
  'rules.yaml:32: rule "typo": assignment is not supported (column 37: = "airflow")',
];

describe('unconvertible rules', () => {
  test('each is reported with file, line, rule and reason; nothing is written', () => {
    const result = migrate({ rules: { file: 'rules.yaml', text: RULES }, options: OPTIONS, skipUnconvertible: false });
    expect(result.output).toBeUndefined();
    expect(result.fatal).toEqual([]);
    expect(result.unconvertible).toEqual([
      ...EXPECTED,
      'rules.yaml:35: rule "unknown key": unknown key \'action\' (Trino Gateway rejects the whole file)',
      'rules.yaml:41: rule "Bad_Group!": RoutingGroup name "!!!" cannot be made a DNS name of at most 63 characters',
    ]);
  });

  test('--skip-unconvertible writes the rest and lists what it skipped in the output', () => {
    const result = migrate({ rules: { file: 'rules.yaml', text: RULES }, options: OPTIONS, skipUnconvertible: true });
    expect(result.output).toBeDefined();
    const output = result.output as string;
    const { groups } = parseResources(output, 'output');
    expect(groups.map((g) => [g.metadata.name, g.spec.rules.map((r) => r.name)])).toEqual([
      ['etl', ['fine']],
      ['adhoc', []],
    ]);
    for (const line of EXPECTED) expect(output).toContain(`#   ${line}`);
    expect(result.counts).toEqual({ clusters: 0, groups: 2, rules: 1 });
  });

  test('YAML that does not parse stops everything, even with --skip-unconvertible', () => {
    const result = migrate({
      rules: { file: 'rules.yaml', text: 'name: "a"\ncondition: "true\n' },
      options: OPTIONS,
      skipUnconvertible: true,
    });
    expect(result.output).toBeUndefined();
    expect(result.fatal[0]).toMatch(/^rules\.yaml: line \d+: /);
  });
});

describe('reading the rules file', () => {
  test('priority defaults to 0, equal priorities keep file order, empty documents are skipped', () => {
    const { rules, problems } = readRulesFile(`---
name: b
priority: 1
condition: "true"
actions: []
---
---
name: a
condition: "true"
actions: []
---
name: c
priority: "-1"
condition: "true"
actions: []
---
name: d
priority: 0
condition: "true"
actions: []
`);
    expect(problems).toEqual([]);
    expect(rules.map((r) => [r.name, r.priority, r.line])).toEqual([
      ['c', -1, 12],
      ['a', 0, 8],
      ['d', 0, 17],
      ['b', 1, 2],
    ]);
  });

  test.each([
    ['name: x\ncondition: "true"\n', 'actions is required and must be a list of MVEL strings'],
    ['condition: "true"\nactions: []\n', 'name is required'],
    ['name: x\ncondition: true\nactions: []\n', 'condition is required and must be a string of MVEL'],
    ['name: x\npriority: 1.5\ncondition: "true"\nactions: []\n', 'priority must be a whole number'],
    ['- a\n- b\n', 'a rule must be a mapping with name, condition and actions'],
  ])('refuses %j', (text, reason) => {
    expect(readRulesFile(text).problems.map((p) => p.reason)).toEqual([reason]);
  });
});
