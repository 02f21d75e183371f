// Which request targets are accepted (origin form, no dot segments, valid escapes) and how they split.
import { parseRequestTarget, splitClusterPrefix } from './request-target.js';

describe('parseRequestTarget', () => {
  test.each([
    ['/v1/statement', '/v1/statement', ''],
    ['/', '/', ''],
    ['/v1/query/20200416_160256_03078_6b4yt?pretty', '/v1/query/20200416_160256_03078_6b4yt', 'pretty'],
    ['/ui/query.html?20200416_160256_03078_6b4yt', '/ui/query.html', '20200416_160256_03078_6b4yt'],
    ['/login?redirect=%2Fui%2Fapi%2Fquery%2Fx', '/login', 'redirect=%2Fui%2Fapi%2Fquery%2Fx'],
    ['/v1/statement?', '/v1/statement', ''],
    ['/a?b?c=/../x', '/a', 'b?c=/../x'],
    [
      '/v1/spooled/ack/k57HZQqycuX7B_5QQnFtvR9yZ6zxt-SyPySruC9HMHI=',
      '/v1/spooled/ack/k57HZQqycuX7B_5QQnFtvR9yZ6zxt-SyPySruC9HMHI=',
      '',
    ],
    ['/ui/assets/app.min.js', '/ui/assets/app.min.js', ''],
    ['/a/.../b', '/a/.../b', ''],
    ['/a/.b/..c/c./', '/a/.b/..c/c./', ''],
    ['/a/%41%2e%2E/b', '/a/%41%2e%2E/b', ''],
    ['/a//b', '/a//b', ''],
    ['/a?q=100%', '/a', 'q=100%'],
  ])('accepts %s', (raw, path, query) => {
    expect(parseRequestTarget(raw)).toEqual({ path, query, target: raw });
  });

  test.each([
    ['http://gateway:8080/v1/statement/executing/x/y/1', '/v1/statement/executing/x/y/1', ''],
    ['HTTPS://gateway/v1/query/abc?pretty', '/v1/query/abc', 'pretty'],
    ['http://evil.example?x=1', '/', 'x=1'],
    ['http://evil.example', '/', ''],
  ])('accepts the absolute-form %s and keeps only its path and query', (raw, path, query) => {
    expect(parseRequestTarget(raw)).toEqual({ path, query, target: query === '' ? path : `${path}?${query}` });
  });

  test.each([
    ['', 'origin-form'],
    ['*', 'origin-form'],
    ['ftp://evil.example/v1/statement', 'origin-form'],
    ['http:///v1/statement', 'without a host'],
    ['http://evil.example/v1/../admin', '"." or ".."'],
    ['evil.example:443', 'origin-form'],
    ['//evil.example/v1/statement', '//'],
    ['/v1/statement/../../admin', '"." or ".."'],
    ['/ui/..', '"." or ".."'],
    ['/ui/./x', '"." or ".."'],
    ['/ui/.', '"." or ".."'],
    ['/ui/%2e%2e/x', '"." or ".."'],
    ['/ui/%2E./x', '"." or ".."'],
    ['/ui/.%2e?x', '"." or ".."'],
    ['/ui/%2e', '"." or ".."'],
    ['/ui/..%2fv1/x', '"." or ".."'],
    ['/ui/x%2F..%2Fv1', '"." or ".."'],
    ['/ui/..%5cv1', '"." or ".."'],
    ['/ui/%zz', 'percent-encoding'],
    ['/ui/%4', 'percent-encoding'],
    ['/ui/%', 'percent-encoding'],
    ['/ui/%g0/x', 'percent-encoding'],
    ['/ui/a\u0000b', 'control'],
    ['/ui/a\nb', 'control'],
    ['/ui/a\u007fb', 'control'],
    ['/ui/a%00b', 'control'],
    ['/ui/a%0Db', 'control'],
    ['/ui?a=\u0000', 'control'],
    ['/ui?a=\r\n', 'control'],
    ['/ui\\..\\x', '\\'],
    ['/ui#x', 'fragment'],
    ['/ui?x#y', 'fragment'],
  ])('rejects %j', (raw, reason) => {
    const result = parseRequestTarget(raw);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toContain(reason);
  });

  test('does not validate escapes in the query string', () => {
    expect(parseRequestTarget('/v1/info?x=%zz&y=%2e%2e')).toEqual({
      path: '/v1/info',
      query: 'x=%zz&y=%2e%2e',
      target: '/v1/info?x=%zz&y=%2e%2e',
    });
  });
});

describe('splitClusterPrefix', () => {
  const split = (raw: string) => {
    const target = parseRequestTarget(raw);
    if ('error' in target) throw new Error(target.error);
    return splitClusterPrefix(target, '/_c');
  };

  it('takes the cluster from the path and leaves the Trino path', () => {
    expect(split('/_c/blue/v1/statement/executing/x/y/1')).toEqual({
      cluster: 'blue',
      path: '/v1/statement/executing/x/y/1',
      query: '',
      target: '/v1/statement/executing/x/y/1',
    });
    expect(split('/_c/green/ui/query.html?20200416_160256_03078_6b4yt')).toEqual({
      cluster: 'green',
      path: '/ui/query.html',
      query: '20200416_160256_03078_6b4yt',
      target: '/ui/query.html?20200416_160256_03078_6b4yt',
    });
  });

  it.each(['/v1/statement', '/_cx/blue/v1/info', '/_c/blue', '/_c//v1/info', '/_c'])('leaves %s alone', (raw) => {
    expect(split(raw)).toBeUndefined();
  });
});
