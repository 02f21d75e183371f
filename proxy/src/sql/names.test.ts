// Trino's naming rules on their own: identifier values and completing names from the session.
import { qualifyObject, qualifySchema, quotedIdentifier, ReferencedNames, unquotedIdentifier } from './names.js';

describe('identifier values', () => {
  test('unquoted identifiers are lower-cased', () => {
    expect(unquotedIdentifier('NaTion')).toBe('nation');
  });

  test('quoted identifiers lose their quotes, unescape "" and are lower-cased like Trino', () => {
    expect(quotedIdentifier('"Nation"')).toBe('nation');
    expect(quotedIdentifier('"my ""odd"" name"')).toBe('my "odd" name');
    expect(quotedIdentifier('"Größe"')).toBe('größe');
  });
});

describe('qualifying names from the session', () => {
  const session = { catalog: 'tpch', schema: 'tiny' };

  test('an object name takes its missing leading parts from the session', () => {
    expect(qualifyObject(['nation'], session)).toEqual(['tpch', 'tiny', 'nation']);
    expect(qualifyObject(['sf1', 'nation'], session)).toEqual(['tpch', 'sf1', 'nation']);
    expect(qualifyObject(['hive', 'web', 'clicks'], session)).toEqual(['hive', 'web', 'clicks']);
  });

  test('parts the session lacks stay unknown', () => {
    expect(qualifyObject(['nation'], {})).toEqual([undefined, undefined, 'nation']);
    expect(qualifyObject(['nation'], { catalog: 'tpch' })).toEqual(['tpch', undefined, 'nation']);
    expect(qualifyObject(['sf1', 'nation'], { schema: 'tiny' })).toEqual([undefined, 'sf1', 'nation']);
  });

  test('a schema name takes only the catalog from the session', () => {
    expect(qualifySchema(['sf1'], session)).toEqual(['tpch', 'sf1']);
    expect(qualifySchema(['hive', 'web'], session)).toEqual(['hive', 'web']);
  });

  test('too many parts are not a name', () => {
    expect(qualifyObject(['a', 'b', 'c', 'd'], session)).toBeUndefined();
    expect(qualifySchema(['a', 'b', 'c'], session)).toBeUndefined();
  });
});

describe('ReferencedNames', () => {
  test('a fully known table records its catalog, schema and table', () => {
    const names = new ReferencedNames({ catalog: 'tpch', schema: 'tiny' });
    names.table(['nation']);
    names.table(['hive', 'web', 'clicks']);
    names.table(['nation']);
    expect(names.catalogs).toEqual(['hive', 'tpch']);
    expect(names.schemas).toEqual(['hive.web', 'tpch.tiny']);
    expect(names.tables).toEqual(['hive.web.clicks', 'tpch.tiny.nation']);
  });

  test('only the known leading parts are kept', () => {
    const names = new ReferencedNames({ catalog: 'tpch' });
    names.table(['nation']); // schema unknown: catalog only
    names.table(['sf1', 'region']);
    expect(names.catalogs).toEqual(['tpch']);
    expect(names.schemas).toEqual(['tpch.sf1']);
    expect(names.tables).toEqual(['tpch.sf1.region']);
  });

  test('without a session catalog, partial names contribute nothing', () => {
    const names = new ReferencedNames({ schema: 'tiny' });
    names.table(['nation']);
    names.table(['tiny', 'nation']);
    names.schema(['tiny']);
    expect([names.catalogs, names.schemas, names.tables]).toEqual([[], [], []]);
  });

  test('a routine contributes its catalog and schema, never a table', () => {
    const names = new ReferencedNames({ catalog: 'hive', schema: 'web' });
    names.routine(['system', 'runtime', 'kill_query']);
    names.routine(['system', 'sync_partition_metadata']);
    names.routine(['abs']);
    expect(names.catalogs).toEqual(['hive', 'system']);
    expect(names.schemas).toEqual(['hive.system', 'system.runtime']);
    expect(names.tables).toEqual([]);
  });

  test('a RENAME target can be completed from the source instead of the session', () => {
    const names = new ReferencedNames({ catalog: 'tpch', schema: 'tiny' });
    const source = names.table(['hive', 'web', 'old']);
    names.table(['new'], { catalog: source?.[0], schema: source?.[1] });
    expect(names.tables).toEqual(['hive.web.new', 'hive.web.old']);
  });

  test('the lists are frozen', () => {
    const names = new ReferencedNames({});
    names.catalog('hive');
    expect(Object.isFrozen(names.catalogs)).toBe(true);
  });
});
