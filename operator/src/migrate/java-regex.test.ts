// Java regular expressions for String.matches → RE2 for CEL's matches: anchored, and only the
// constructs both dialects read the same way.
import { describe, expect, test } from '@jest/globals';
import { compileRule } from '@junction/shared';
import { quote } from './cel.js';
import { javaRegexToRe2 } from './java-regex.js';

const matches = (re2: string, text: string) => {
  const rule = compileRule(`request.source.matches(${quote(re2)})`);
  if (!rule.ok) throw new Error(rule.error);
  return rule.matches({
    method: 'POST',
    path: '/',
    query: {},
    headers: {},
    user: '',
    source: text,
    clientTags: [],
    catalog: '',
    schema: '',
  });
};

describe('javaRegexToRe2', () => {
  test.each([
    ['airflow', 'airflow', 'airflow-dev'],
    ['air.*', 'airflow', 'hair'],
    ['a|b', 'b', 'ab'],
    ['jupyter(lab)?-\\d{2,}', 'jupyterlab-42', 'jupyter-4'],
    ['[a-z_]+\\.[A-Z]', 'ab_c.D', 'abc.d'],
    ['(?i)superset', 'SuperSet', 'superset2'],
    ['(?:x|y)*?z', 'xyz', 'xy'],
    ['\\Qa', undefined, undefined],
  ])('%s', (pattern, accepted, rejected) => {
    const result = javaRegexToRe2(pattern);
    if (accepted === undefined) {
      expect(result.ok).toBe(false);
      return;
    }
    if (!result.ok) throw new Error(result.reason);
    // Java's matches() must match the whole string; RE2 searches, hence the anchors.
    expect(matches(result.re2, accepted)).toBe(true);
    expect(matches(result.re2, rejected as string)).toBe(false);
  });

  test('(?i) carries a note: RE2 folds non-ASCII letters too', () => {
    const result = javaRegexToRe2('(?i)abc');
    expect(result.ok && result.notes.length).toBe(1);
  });

  test.each([
    ['(?=a)a', 'lookaround'],
    ['(?<name>a)', 'named groups'],
    ['(?>a)', 'atomic'],
    ['(a)\\1', 'backreference'],
    ['a*+', 'possessive'],
    ['a++', 'possessive'],
    ['[a-z[0-9]]', "'[' inside a character class"],
    ['[a&&b]', "'&&' inside a character class"],
    ['[]a]', "a ']' right after '['"],
    ['\\p{Lower}', '\\p means something else'],
    ['\\h', '\\h means something else'],
    ['\\u0041', '\\u means something else'],
    ['(?x)a b', 'lookaround, atomic and named groups'],
    ['a{x}', "a '{' that is not a repetition"],
    ['*a', 'has nothing to repeat'],
    ['(a', "unbalanced '('"],
    ['a)', "unbalanced ')'"],
    ['[a-z', 'unterminated character class'],
  ])('refuses %s', (pattern, reason) => {
    const result = javaRegexToRe2(pattern);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});
