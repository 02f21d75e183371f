// Path families (statement, query, UI, OAuth2, extra paths) on the reference gateway's vectors.
import { classifyPath, compilePathRules, hasPathPrefix, isStatementSubmit } from './classify.js';

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
    expect(isStatementSubmit('POST', 'statement')).toBe(true);
    expect(isStatementSubmit('GET', 'statement')).toBe(false);
    expect(isStatementSubmit('DELETE', 'statement')).toBe(false);
    expect(isStatementSubmit('POST', 'ui')).toBe(false);
  });
});

describe('hasPathPrefix', () => {
  test.each([
    ['/ui', '/ui', true],
    ['/ui/', '/ui', true],
    ['/ui/query.html', '/ui', true],
    ['/uifoo', '/ui', false],
    ['/u', '/ui', false],
    ['/V1/query', '/v1/query', false],
    ['/oauth2/x', '/oauth2/', true],
    ['/oauth2', '/oauth2/', false],
    ['/anything', '/', true],
  ])('%s under %s → %s', (path, prefix, expected) => {
    expect(hasPathPrefix(path, prefix)).toBe(expected);
  });
});
