// MVEL conditions → CEL: the converted text for each supported construct (and that it compiles
// with Junction's rule checker), and the reason given for each construct that is refused.
import { describe, expect, test } from '@jest/globals';
import { compileRule } from '@junction/shared';
import { print, usesSql } from './cel.js';
import { parseExpression } from './mvel-parser.js';
import { Translator } from './translate.js';
import { NOTES } from './values.js';
import { qualifiedTableName } from './vocabulary.js';

function convert(mvel: string): { cel: string; notes: string[] } {
  const tr = new Translator();
  const cel = print(tr.condition(parseExpression(mvel)));
  return { cel, notes: [...tr.notes] };
}

const H = (name: string) => `"${name}" in request.headers`;
const V = (name: string) => `request.headers["${name}"]`;

describe('headers and request', () => {
  test.each([
    [
      'request.getHeader("X-Trino-Source") == "airflow"',
      `${H('x-trino-source')} && ${V('x-trino-source')} == "airflow"`,
    ],
    [
      '"airflow" == request.getHeader("X-Trino-Source")',
      `${H('x-trino-source')} && "airflow" == ${V('x-trino-source')}`,
    ],
    [
      'request.getHeader("X-Trino-Source") != "airflow"',
      `!(${H('x-trino-source')} && ${V('x-trino-source')} == "airflow")`,
    ],
    ['request.getHeader("X-Trino-Client-Tags") == null', `!(${H('x-trino-client-tags')})`],
    ['request.getHeader("X-Trino-Client-Tags") != null', H('x-trino-client-tags')],
    [
      'request.getHeader("X-Trino-Client-Tags") contains "label=special"',
      `${H('x-trino-client-tags')} && ${V('x-trino-client-tags')}.contains("label=special")`,
    ],
    [
      'request.getHeader("A") == request.getHeader("B")',
      `${H('a')} && ${H('b')} && ${V('a')} == ${V('b')} || !(${H('a')}) && !(${H('b')})`,
    ],
    // Calls on a header that may be missing throw in MVEL (HTTP 500 there): no guard is invented.
    ['request.getHeader("X-Trino-Source").startsWith("air")', `${V('x-trino-source')}.startsWith("air")`],
    ['request.getHeader("X-Trino-Source").endsWith("flow")', `${V('x-trino-source')}.endsWith("flow")`],
    ['request.getHeader("X-Trino-Source").contains("ir")', `${V('x-trino-source')}.contains("ir")`],
    [
      'request.getHeader("X-Trino-Source").equals("airflow")',
      `${H('x-trino-source')} && ${V('x-trino-source')} == "airflow"`,
    ],
    ['request.getHeader("X-Trino-Source").isEmpty()', `${V('x-trino-source')} == ""`],
    ['request.getHeader("X-Trino-Source").empty', `${V('x-trino-source')} == ""`],
    ['request.getMethod() == "POST"', 'request.method == "POST"'],
    ['request.method == "GET"', 'request.method == "GET"'],
    ['request.getRequestURI.startsWith("/v1/statement")', 'request.path.startsWith("/v1/statement")'],
    ['true', 'true'],
    [
      '!(request.method == "GET" || request.method == "HEAD")',
      '!(request.method == "GET" || request.method == "HEAD")',
    ],
  ])('%s', (mvel, cel) => {
    expect(convert(mvel).cel).toBe(cel);
    expect(compileRule(cel)).toMatchObject({ ok: true });
  });

  test('case folding and regular expressions', () => {
    const lower = convert('request.getHeader("X-Trino-Source").toLowerCase() == "airflow"');
    expect(lower.cel).toBe(`${V('x-trino-source')}.lowerAscii() == "airflow"`);
    expect(lower.notes).toEqual([NOTES.caseFolding]);
    expect(convert('request.getHeader("X-Trino-Source").equalsIgnoreCase("AirFlow")').cel).toBe(
      `${V('x-trino-source')}.lowerAscii() == "airflow"`,
    );
    const regex = convert('request.getHeader("X-Trino-Source").matches("jupyter(lab)?-\\\\d+")');
    expect(regex.cel).toBe(`${V('x-trino-source')}.matches("^(?:jupyter(lab)?-\\\\d+)$")`);
    expect(compileRule(regex.cel)).toMatchObject({ ok: true });
  });
});

describe('user and query properties', () => {
  test.each([
    ['trinoRequestUser.userExistsAndEquals("alice")', 'request.user == "alice"'],
    ['trinoRequestUser.getUser().isPresent()', 'request.user != ""'],
    ['trinoRequestUser.getUser().isEmpty()', 'request.user == ""'],
    ['trinoRequestUser.getUser().orElse("") == "bob"', 'request.user == "bob"'],
    ['trinoRequestUser.getUser().equals(java.util.Optional.of("bob"))', 'request.user != "" && request.user == "bob"'],
    ['trinoRequestUser.getUser().get().startsWith("svc-")', 'request.user.startsWith("svc-")'],
    ['trinoQueryProperties.isNewQuerySubmission()', 'request.method == "POST"'],
    [
      'trinoQueryProperties.getDefaultCatalog().equals(java.util.Optional.of("hive"))',
      `${H('x-trino-catalog')} && ${V('x-trino-catalog')} == "hive"`,
    ],
    ['trinoQueryProperties.getDefaultSchema().isPresent()', H('x-trino-schema')],
    ['trinoQueryProperties.getDefaultCatalog().equals(Optional.empty())', `!(${H('x-trino-catalog')})`],
  ])('%s', (mvel, cel) => {
    expect(convert(mvel).cel).toBe(cel);
    expect(compileRule(cel)).toMatchObject({ ok: true });
  });

  test('user lookups carry the note on how the user is found', () => {
    expect(convert('trinoRequestUser.userExistsAndEquals("alice")').notes).toEqual([NOTES.user]);
  });

  test.each([
    ['trinoQueryProperties.getQueryType() == "Insert"', 'sql.statement == "Insert"'],
    ['trinoQueryProperties.getQueryType().toLowerCase.equals("insert")', 'sql.statement.lowerAscii() == "insert"'],
    [
      'trinoQueryProperties.getResourceGroupQueryType().equals("DATA_DEFINITION")',
      'sql.queryType == "DATA_DEFINITION"',
    ],
    ['trinoQueryProperties.getCatalogs().contains("system")', '"system" in sql.catalogs'],
    ['trinoQueryProperties.getCatalogs() contains "system"', '"system" in sql.catalogs'],
    ['trinoQueryProperties.catalogs.isEmpty()', 'size(sql.catalogs) == 0'],
    ['trinoQueryProperties.getCatalogs().size() > 1', 'size(sql.catalogs) > 1'],
    ['trinoQueryProperties.getCatalogSchemas.contains("hive.web")', '"hive.web" in sql.schemas'],
    [
      'trinoQueryProperties.getSchemas().contains("web")',
      'sql.schemas.exists(s, s.substring(s.indexOf(".") + 1) == "web")',
    ],
    ['trinoQueryProperties.tablesContains("Hive.Web.Events")', '"hive.web.events" in sql.tables'],
    ['trinoQueryProperties.getTables().isEmpty()', 'size(sql.tables) == 0'],
    ['trinoQueryProperties.isQueryParsingSuccessful()', 'sql.error == ""'],
    ['trinoQueryProperties.getErrorMessage().isPresent()', 'sql.error != ""'],
  ])('%s', (mvel, cel) => {
    const converted = convert(mvel).cel;
    expect(converted).toBe(cel);
    expect(usesSql(parseAndTranslate(mvel))).toBe(true);
    expect(compileRule(cel)).toMatchObject({ ok: true, readsSql: true });
  });
});

function parseAndTranslate(mvel: string) {
  return new Translator().condition(parseExpression(mvel));
}

describe('refused, with the reason', () => {
  test.each([
    ['state.get("triggeredRules").contains("airflow")', 'state passes values from one rule to the next'],
    ['result.get("routingGroup") == "etl"', 'result is only converted as result.put'],
    ['request.getHeader("X-Trino-Source")', 'expected a boolean but this is a string'],
    ['request.getRemoteAddr() == "10.0.0.1"', 'request.getRemoteAddr() is not converted'],
    ['request.getQueryString() contains "x"', 'not the raw query string'],
    ['request.getHeader(name) == "x"', 'getHeader is only converted with a string literal argument'],
    ['trinoQueryProperties.getBody() contains "DELETE"', 'the raw SQL text is not a Junction rule variable'],
    ['trinoQueryProperties.getTables().contains("a.b.c")', 'use tablesContains("catalog.schema.table")'],
    ['trinoQueryProperties.tablesContains("b.c")', 'is not catalog.schema.table, so it never matches'],
    ['trinoQueryProperties.getErrorMessage().get() == "x"', 'differs between the two gateways'],
    ['trinoQueryProperties.getSchemas().size() == 1', 'getSchemas().size() is not converted'],
    ['trinoRequestUser.getUserInfo().isPresent()', 'OIDC user info is not a Junction rule variable'],
    ['trinoRequestUser.userExistsAndEquals("")', 'userExistsAndEquals("") is not converted'],
    ['request.getHeader("X") contains null', "'contains' is only converted with a string that cannot be null"],
    ['request.getHeader("X") == 1', 'comparing a string with a number is not converted'],
    ['request.getHeader("X").length() > 3', 'String.length() is not converted'],
    ['request.getHeader("X").matches("(?=a)b")', 'lookaround, atomic and named groups are not supported by RE2'],
    ['request.getHeader("X").matches("(a)\\\\1")', 'backreference'],
    ['request.getHeader("X").equalsIgnoreCase("straße")', 'equalsIgnoreCase with non-ASCII text is not converted'],
    ['System.getenv("X") == "1"', "unknown name 'System'"],
    ['trinoQueryProperties.isNewQuerySubmission() == request.getMethod()', 'comparing a boolean with a string'],
  ])('%s', (mvel, reason) => {
    expect(() => convert(mvel)).toThrow(reason);
  });
});

describe('tablesContains names, read as Trino Gateway reads them', () => {
  test.each([
    ['cat.schem.tbl', 'cat.schem.tbl'],
    ['CAT.Schem.TBL', 'cat.schem.tbl'],
    ['"cat"."sch.em"."t"', undefined],
    ['cat_default."schem_\\"default".tblz', 'cat_default.schem_\\"default.tblz'],
    ['"my cat".s.t', 'my cat.s.t'],
    ['c.s', undefined],
    ['c.s.t.u', undefined],
    // Trino Gateway's reader drops text after a closing quote and keeps the quote: faithfully the same.
    ['c."s"x.t', 'c.s".t'],
  ])('%s', (text, name) => {
    const result = qualifiedTableName(text);
    expect(result.reason === undefined ? result.name : undefined).toBe(name);
  });
});
