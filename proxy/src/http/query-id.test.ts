// Finding the Trino query id in every path shape that carries one, and nothing in those that do not.
import { compilePathRules } from './classify.js';
import { extractQueryId } from './query-id.js';

const ID = '20200416_160256_03078_6b4yt';

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
