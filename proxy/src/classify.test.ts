import { classifyPath, compilePathRules, extractQueryId, isStatementSubmit } from './classify.js';
import { extractKillQueryId } from './kill-query.js';

const ID = '20200416_160256_03078_6b4yt';

describe('classifyPath', () => {
  // The reference's TestPathFilter vectors, except the raw-prefix cases noted below.
  const rules = compilePathRules(
    { statementPaths: ['/v2/statement'], extraPaths: ['/api/v1/custom/.*', '/health/.*', '/metrics'] },
    { routingPaths: ['/oauth2', '/sso'], deletePaths: ['/logout'] },
  );

  test.each([
    ['/v1/query', 'query'],
    ['/v1/query/query123/status', 'query'],
    ['/ui', 'ui'],
    ['/ui/query.html', 'ui'],
    ['/ui/assets/app.js', 'ui'],
    ['/v1/info/status', 'info'],
    ['/v1/info', 'info'],
    ['/v1/node/node123', 'node'],
    ['/ui/api/stats/running', 'ui'],
    ['/oauth2', 'oauth2'],
    ['/oauth2/callback', 'oauth2'],
    ['/v1/statement', 'statement'],
    ['/v1/statement/executing', 'statement'],
    ['/v2/statement/batch', 'statement'],
    ['/api/v1/custom/', 'extra'],
    ['/api/v1/custom/users/123', 'extra'],
    ['/health/', 'extra'],
    ['/health/live', 'extra'],
    ['/metrics', 'extra'],
    ['/v1/spooled', 'spooled'],
    ['/v1/spooled/ack/k57HZQqycuX7B_5QQnFtvR9yZ6zxt-SyPySruC9HMHI=', 'spooled'],
    ['/v1/spooled/download/k57HZQqycuX7B_5QQnFtvR9yZ6zxt-SyPySruC9HMHI=', 'spooled'],
    ['/sso/start', 'cookie'],
    ['/logout', 'cookie'],
  ])('%s → %s', (path, kind) => {
    expect(classifyPath(path, rules)).toBe(kind);
  });

  test.each([
    '/v3/statement',
    '/api/v2/custom/users',
    '/status',
    '/metrics/extra',
    '',
    '/',
    '/V1/query',
    '/API/v1/custom/test',
    '/v1/quer',
    '/api/v1/custo',
    // Proxied by the reference's raw prefix check, deliberately not here (segment boundary).
    '/uifoo',
    '/v1/queryX',
    '/oauth2xyz',
    '/v1/statementfoo',
  ])('%j is not proxied', (path) => {
    expect(classifyPath(path, rules)).toBeUndefined();
  });

  test('extra paths must match the whole path', () => {
    const versioned = compilePathRules({ statementPaths: [], extraPaths: ['/api/v[1-9]/.*', '^/anchored$'] });
    expect(classifyPath('/api/v1/users', versioned)).toBe('extra');
    expect(classifyPath('/api/v9/reports', versioned)).toBe('extra');
    expect(classifyPath('/api/v0/test', versioned)).toBeUndefined();
    expect(classifyPath('/api/v10/test', versioned)).toBeUndefined();
    expect(classifyPath('/anchored', versioned)).toBe('extra');
    expect(classifyPath('/x/anchored', versioned)).toBeUndefined();
  });

  test('/v1/statement is always a statement path; defaults have no cookie paths', () => {
    const empty = compilePathRules({ statementPaths: [], extraPaths: [] });
    expect(empty.statementPaths).toEqual(['/v1/statement']);
    expect(classifyPath('/v1/statement', empty)).toBe('statement');
    expect(classifyPath('/v2/statement', empty)).toBeUndefined();
    expect(classifyPath('/logout', empty)).toBeUndefined();
  });

  test('configured statement paths lose trailing slashes and duplicates', () => {
    const configured = compilePathRules({
      statementPaths: ['/custom/api/statement/', '/v1/statement'],
      extraPaths: [],
    });
    expect(configured.statementPaths).toEqual(['/v1/statement', '/custom/api/statement']);
    expect(classifyPath('/custom/api/statement', configured)).toBe('statement');
  });
});

describe('isStatementSubmit', () => {
  test('only a POST to a statement path submits a query', () => {
    expect(isStatementSubmit('POST', '/v1/statement', 'statement')).toBe(true);
    expect(isStatementSubmit('GET', '/v1/statement/queued/x/y/1', 'statement')).toBe(false);
    expect(isStatementSubmit('DELETE', '/v1/statement/queued/x/y/1', 'statement')).toBe(false);
    expect(isStatementSubmit('POST', '/ui/api/query', 'ui')).toBe(false);
  });
});

describe('extractQueryId', () => {
  const rules = compilePathRules({ statementPaths: ['/custom/api/statement'], extraPaths: [] });

  test.each([
    // The reference's TestQueryIdCachingProxyHandler vectors.
    [`/v1/statement/queued/${ID}/ye6c54db413e65c5de0e99612ab1eaabb8611a8aa/1`, ''],
    [`/v1/statement/scheduled/${ID}/ye6c54db413e65c5de0e99612ab1eaabb8611a8aa/1`, ''],
    [`/v1/statement/executing/${ID}/ya7e884929c67cdf86207a80e7a77ab2166fa2e7b/1368`, ''],
    [`/v1/statement/executing/partialCancel/${ID}/0/yce0e0e038758e454d22d7270de30395e19a28eb6/1`, ''],
    [`/custom/api/statement/executing/${ID}/ya7e884929c67cdf86207a80e7a77ab2166fa2e7b/1368`, ''],
    [`/custom/api/statement/${ID}`, ''],
    [`/ui/api/query/${ID}`, ''],
    [`/ui/api/query/${ID}/killed`, ''],
    [`/ui/api/query/${ID}/preempted`, ''],
    [`/v1/query/${ID}`, 'pretty'],
    [`/v1/query/${ID}`, ''],
    ['/ui/troubleshooting', `queryId=${ID}`],
    ['/ui/query.html', ID],
    ['/login', `redirect=%2Fui%2Fapi%2Fquery%2F${ID}`],
    // More query-string shapes the reference's pattern accepts.
    ['/ui/api/query', `query_id=${ID}`],
    ['/ui/api/query', `QUERY_ID=${ID}`],
    ['/ui/api/query', `a=1&QueryId=${ID}&b=2`],
    ['/v1/info', `x=%2F${ID}`],
    // The query string wins over a different id in the path.
    [`/v1/query/20240101_000000_00001_aaaaa`, `queryId=${ID}`],
    // The last `/` followed by an id wins in `/ui` paths.
    [`/ui/api/query/20240101_000000_00001_aaaaa/x/${ID}.json`, ''],
  ])('%s ? %s → the id', (path, query) => {
    expect(extractQueryId(path, query, rules)).toBe(ID);
  });

  test.each([
    ['/ui/api/query/myOtherThing', ''],
    ['/ui/api/query/20200416_blah', 'bogus_fictional_param'],
    ['/ui/', 'lang=en&p=1&id=0_1_2_a'],
    ['/v1/statement', ''],
    ['/v1/statement/', ''],
    ['/v1/statement/queued', ''],
    ['/v1/statement/queued/', ''],
    ['/v1/statement/executing/partialCancel', ''],
    ['/v1/statement/executing/notAnId/ya7e/1', ''],
    // The reference would return these tokens; only id-shaped ones count here.
    ['/v1/query/foo', ''],
    ['/v1/query/query123/status', ''],
    [`/v1/query/${ID}-x`, ''],
    // A statement or /v1/query path without an id does not fall through to the /ui rule.
    [`/v1/query/x/${ID}`, ''],
    ['/v1/info', ''],
    [`/v1/spooled/download/${ID}`, ''],
    [`/oauth2/token/${ID}`, ''],
    // `%2F` is case-sensitive in the reference's pattern; `=` must follow the parameter name.
    ['/ui/x', `redirect=%2fui%2f${ID}`],
    ['/ui/x', `queryIds=${ID}`],
  ])('%s ? %s → none', (path, query) => {
    expect(extractQueryId(path, query, rules)).toBeUndefined();
  });

  test('the id extends over trailing word characters, like the reference pattern', () => {
    expect(extractQueryId('/ui/x', `queryId=${ID}_more&x=1`, rules)).toBe(`${ID}_more`);
  });

  test('agrees with the reference patterns on generated query strings and /ui paths', () => {
    // The reference's patterns (research §2.3), checked against the hand-written scanners.
    const queryPattern = /^.*(?:%2F|[Qq][Uu][Ee][Rr][Yy]_?[Ii][Dd]=|^)(\d+_\d+_\d+_\w+).*$/;
    const uiPattern = /^.*\/(\d+_\d+_\d+_\w+).*$/;
    const pieces = [
      '%2F',
      '%2f',
      'queryId=',
      'QUERY_ID=',
      'query',
      '=',
      '&',
      '/',
      '_',
      '1',
      '42_',
      '1_2_3_a',
      'Z',
      '.',
      '-',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let matched = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = 1 + Math.floor(next() * 14);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(next() * pieces.length)];
      const fromQuery = queryPattern.exec(text)?.[1];
      expect(extractQueryId('/x', text, rules)).toBe(fromQuery);
      const fromUi = uiPattern.exec(`/ui/${text}`)?.[1];
      expect(extractQueryId(`/ui/${text}`, '', rules)).toBe(fromUi);
      if (fromQuery !== undefined) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });
});

describe('extractKillQueryId', () => {
  const systemRuntime = { catalog: 'system', schema: 'runtime' };

  test.each([
    [`CALL system.runtime.kill_query(query_id => '${ID}', message => 'If he dies, he dies')`, undefined],
    [`CALL system.runtime.kill_query(Query_id => '${ID}', Message => 'If he dies, he dies')`, undefined],
    [`CALL system.runtime.kill_query(message => 'If he dies, he dies', query_id => '${ID}')`, undefined],
    [`CALL kill_query('${ID}', 'If he dies, he dies')`, systemRuntime],
    [`CALL runtime.kill_query('${ID}', '20200416_160256_03078_7n5uy')`, { catalog: 'system' }],
    [`CALL system.runtime.kill_query('${ID}', 'kill_query(''20200416_160256_03078_7n5uy'')')`, undefined],
    [`CALL system.runtime.kill_query(query_id=>'${ID}')`, undefined],
    [`CALL system.runtime.kill_query('${ID}')`, undefined],
    [`call Kill_Query('${ID}')`, { catalog: 'SYSTEM', schema: 'Runtime' }],
    [`CALL KILL_QUERY ('${ID}')`, systemRuntime],
    [`CALL "system"."RUNTIME"."kill_query"('${ID}');`, undefined],
    [`CALL system . runtime . kill_query ( '${ID}' , concat('a', 'b') ) ;  `, undefined],
    [`CALL system.runtime.kill_query('${ID}', 'x' || 'y')`, undefined],
    [`CALL system.runtime.kill_query("query_id" => '${ID}')`, undefined],
    [
      `-- kill it\n  /* really\n kill it */ CALL\n system.runtime.kill_query( -- which\n '${ID}', /* why */ 'If he dies, he dies'\n) -- done`,
      undefined,
    ],
  ])('%s → the id', (sql, defaults) => {
    expect(extractKillQueryId(sql, defaults)).toBe(ID);
  });

  test.each([
    [`SELECT * FROM postgres.query_logs.queries WHERE sql LIKE '%kill_query(''20200416_160256%'`, undefined],
    [`SELECT * FROM postgres.query_logs.queries WHERE sql LIKE '%kill_query(''${ID}'')%'`, undefined],
    [`SELECT * FROM postgres.query_logs.queries WHERE sql LIKE 'CALL kill_query(_${ID}_)'`, undefined],
    [`-- CALL system.runtime.kill_query('${ID}')\nSELECT 1`, undefined],
    [`/* CALL system.runtime.kill_query('${ID}') */ SELECT 1`, undefined],
    [`CALL notsystem.runtime.kill_query('${ID}')`, undefined],
    [`CALL runtime.kill_query('${ID}')`, { catalog: 'notsystem' }],
    [`CALL notruntime.kill_query('${ID}')`, { catalog: 'system' }],
    [`CALL kill_query('${ID}')`, { catalog: 'system', schema: 'notruntime' }],
    [`CALL kill_query('${ID}')`, undefined],
    [`CALL runtime.kill_query('${ID}')`, undefined],
    [`CALL a.system.runtime.kill_query('${ID}')`, undefined],
    [`CALL system.runtime.kill_query('not-an-id')`, undefined],
    [`CALL system.runtime.kill_query('${ID}' || 'x')`, undefined],
    [`CALL system.runtime.kill_query(message => '${ID}')`, undefined],
    [`CALL system.runtime.kill_query()`, undefined],
    [`CALL system.runtime.kill_query('${ID}',)`, undefined],
    [`CALL system.runtime.kill_query('${ID}'`, undefined],
    [`CALL system.runtime.kill_query('${ID})`, undefined],
    [`CALL system.runtime.kill_query('${ID}'); SELECT 1`, undefined],
    [`CALL system.runtime.kill_query('${ID}') /* unterminated`, undefined],
    [`CALL system.runtime.other('${ID}')`, undefined],
    [`CALLsystem.runtime.kill_query('${ID}')`, undefined],
    ['', undefined],
  ])('%s → none', (sql, defaults) => {
    expect(extractKillQueryId(sql, defaults)).toBeUndefined();
  });
});
