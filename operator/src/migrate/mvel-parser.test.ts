// The MVEL subset parser: MVEL's precedence, property-style calls, strings, statements, and a
// named refusal for every construct outside the subset.
import { describe, expect, test } from '@jest/globals';
import { type Expr, ParseError, parseExpression, parseStatements } from './mvel-parser.js';

/** A compact rendering of the tree, to compare shapes. */
function show(e: Expr): string {
  switch (e.k) {
    case 'string':
      return JSON.stringify(e.v);
    case 'int':
    case 'bool':
      return String(e.v);
    case 'null':
      return 'null';
    case 'name':
      return e.name;
    case 'member':
      return `${show(e.target)}.${e.name}${e.call ? `(${e.args.map(show).join(', ')})` : ''}`;
    case 'not':
      return `!${show(e.x)}`;
    case 'binary':
      return `(${show(e.l)} ${e.op} ${show(e.r)})`;
  }
}

describe('parseExpression', () => {
  test.each([
    ['a || b && c', '(a || (b && c))'],
    ['a && b || c', '((a && b) || c)'],
    ['a == "x" && b != null', '((a == "x") && (b != null))'],
    // contains binds tighter than == (MVEL's PTABLE: contains 13, == 7)
    ['a contains "x" == true', '((a contains "x") == true)'],
    ['x.size() > 1 && y <= 2', '((x.size() > 1) && (y <= 2))'],
    ['!(a || b)', '!(a || b)'],
    ['!a.isEmpty()', '!a.isEmpty()'],
    ['a.getCatalogSchemas.contains("c.s")', 'a.getCatalogSchemas.contains("c.s")'],
    ['q.getQueryType().toLowerCase.equals("insert")', 'q.getQueryType().toLowerCase.equals("insert")'],
    ['java.util.Optional.of("x")', 'java.util.Optional.of("x")'],
    ['\'single\' == "double"', '("single" == "double")'],
    ['nil == null', '(null == null)'],
    ['a // comment\n && /* inline */ b', '(a && b)'],
  ])('%s', (source, tree) => {
    expect(show(parseExpression(source))).toBe(tree);
  });

  test('string escapes follow Java: \\" \\\\ \\n \\u0041', () => {
    const e = parseExpression('"a\\"b\\\\c\\n\\u0041"');
    expect(e).toMatchObject({ k: 'string', v: 'a"b\\c\nA' });
  });

  test.each([
    ['a ? b : c', 'the ternary operator'],
    ['a = "x"', 'assignment is not supported'],
    ['a ~= "x.*"', 'the regular-expression operator ~= is not supported'],
    ['a + "x" == b', 'arithmetic and string concatenation are not supported'],
    ['a[0] == b', 'indexing and inline lists are not supported'],
    ['new HashSet()', 'object creation (new …) is not supported'],
    ['a instanceof String', 'instanceof is not supported'],
    ['a == empty', "MVEL's empty literal is not supported"],
    ['a.?b == c', 'null-safe navigation (.?) is not supported'],
    ['!a == b', "'!' before '==' is ambiguous in MVEL; add parentheses"],
    ['foo("x")', "calling 'foo(…)' without an object is not supported"],
    ['a == 1.5', 'only whole numbers are supported'],
    ['"open', 'unterminated string'],
    ['"bad \\q"', 'unsupported escape \\q in a string'],
    ['a b', "unexpected 'b'"],
    ['(a', "expected ')' but found the end"],
    ['a &', 'bitwise operators are not supported'],
  ])('refuses %s', (source, reason) => {
    expect(() => parseExpression(source)).toThrow(reason);
  });

  test('errors carry the offset of the construct', () => {
    try {
      parseExpression('a == "x" && b = 1');
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).offset).toBe(14);
    }
  });
});

describe('parseStatements', () => {
  test('statements separated by semicolons, trailing one allowed', () => {
    const statements = parseStatements('result.put("a", "b"); result.put("routingGroup", "etl");');
    expect(statements.map((s) => (s.k === 'expr' ? show(s.e) : 'if'))).toEqual([
      'result.put("a", "b")',
      'result.put("routingGroup", "etl")',
    ]);
  });

  test('if / else if / else blocks', () => {
    const [statement] = parseStatements(
      'if (a contains "x") { result.put("routingGroup", "x") } else if (b) { result.put("routingGroup", "y") } else { }',
    );
    expect(statement?.k).toBe('if');
    if (statement?.k !== 'if') return;
    expect(statement.branches.map((b) => show(b.cond))).toEqual(['(a contains "x")', 'b']);
    expect(statement.branches[1]?.body).toHaveLength(1);
    expect(statement.otherwise).toEqual([]);
  });

  test.each([
    ['if (a) result.put("routingGroup", "x")', 'if / else without braces is not supported'],
    ['result.put("a", "b") result.put("c", "d")', "expected ';' between statements"],
    ['for (x : y) { }', 'loops are not supported'],
    ['if (a) { result.put("routingGroup", "x")', "expected '}' but found the end"],
  ])('refuses %s', (source, reason) => {
    expect(() => parseStatements(source)).toThrow(reason);
  });
});
