// fast-check generators for everything a client controls: method, request target (encoded, dot
// segments, overlong, absolute-form), headers (duplicates, huge, invalid bytes), cookies, bodies
// (length-delimited, chunked with extensions and trailers, malformed), pipelining and delivery (whole,
// fragmented and slow, aborted, half-closed). Each case knows which clusters may receive it, so the
// fuzzer can tell a leak from a legitimate route: that is what the families are for.
import fc from 'fast-check';
import type { Delivery } from './http-bytes.js';

export type ClusterName = 'blue' | 'green';

/** What the generators may refer to; known only once the proxy and the clusters run. */
export interface FuzzContext {
  /** host:port of the proxy. */
  readonly proxy: string;
  /** host:port of a listener outside the registry that must never see a connection. */
  readonly canary: string;
  /** Query ids the proxy has seen created on each cluster, and one no cluster knows. */
  readonly ids: { readonly blue: string; readonly green: string; readonly none: string };
  /** `TG.OAUTH2=…` cookie pairs: valid for each cluster, valid for a cluster not registered, and bad ones. */
  readonly cookies: {
    readonly blue: string;
    readonly green: string;
    readonly unregistered: string;
    readonly expiredGreen: string;
    readonly expiredBlue: string;
    readonly forged: string;
  };
}

export interface BodySpec {
  /** The framing headers this body needs (content-length / transfer-encoding), already serialised. */
  readonly framing: string;
  readonly bytes: string;
  /** True when the bytes end before the framing says: only sensible with an early close or abort. */
  readonly short?: boolean;
}

/** One request on the wire. */
export interface WireRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: BodySpec;
  /** Clusters that may receive this request; anything else seeing its marker is a leak. */
  readonly allowed: readonly ClusterName[];
  readonly family: string;
}

export interface FuzzCase {
  readonly requests: readonly WireRequest[];
  /** Raw bytes placed inside the first request's body or framing to smuggle the second (if any). */
  readonly smuggle?: string;
  readonly delivery: Delivery;
}

const OTHER: Record<ClusterName, ClusterName> = { blue: 'green', green: 'blue' };
const GROUP_OF: Record<ClusterName, string> = { blue: 'adhoc', green: 'etl' };
/** Anything shaped like a Trino query id; strict families keep ids out of their noise. */
const ID_LIKE = /\d+_\d+_\d+_\w+/;

const char = (codes: string) => fc.constantFrom(...codes.split(''));
const byteChar = fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code));
const TCHAR = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
const token = (max = 16) => fc.string({ unit: char(TCHAR), minLength: 1, maxLength: max });
const visible = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const obsText = fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code));
/** Control bytes a field value must not hold, except CR and LF (those split lines: junk only). */
const controlByte = fc.constantFrom(...'\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f'.split(''));

const hex = char('0123456789abcdefABCDEF');
/** Well-formed percent-encodings, including the tricky ones (encoded slash, dot, NUL, overlong UTF-8). */
const pctEncoded = fc.oneof(
  fc.tuple(hex, hex).map(([a, b]) => `%${a}${b}`),
  fc.constantFrom('%2F', '%2f', '%2E', '%2e', '%00', '%25', '%C0%AF', '%E0%80%AF', '%C0%AE', '%FF'),
);
const badPct = fc.constantFrom('%', '%G1', '%2', '%%', '%u002F');
const pathChar = char("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@");
const cleanSegment = fc
  .array(fc.oneof({ weight: 8, arbitrary: pathChar }, { weight: 1, arbitrary: pctEncoded }), { maxLength: 12 })
  .map((parts) => parts.join(''));
/** A segment with something no valid target holds: bad escapes, raw high bytes, control bytes, spaces. */
const dirtySegment = fc
  .tuple(cleanSegment, fc.oneof(badPct, obsText, controlByte, char(' #\\"<>{}|^`')), cleanSegment)
  .map(([a, bad, b]) => a + bad + b);
const dotSegment = fc.constantFrom('.', '..', '%2e', '%2E%2E', '.%2e', '...');
/** Path tails: plain and encoded segments; dirty ones add dot segments and invalid bytes. */
const pathTail = (dirty: boolean) =>
  fc
    .array(
      dirty
        ? fc.oneof({ weight: 3, arbitrary: cleanSegment }, dirtySegment, dotSegment)
        : cleanSegment.filter((segment) => segment !== '.' && segment !== '..'),
      { maxLength: 4 },
    )
    .map((segments) => segments.map((segment) => `/${segment}`).join(''));
const queryKey = fc.string({
  unit: char('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~'),
  minLength: 1,
  maxLength: 8,
});
/** Extra query parameters; never a query id (the families filter). */
const queryExtras = (dirty: boolean) => {
  const unit = dirty
    ? fc.oneof({ weight: 12, arbitrary: pathChar }, { weight: 2, arbitrary: pctEncoded }, char('/?'), badPct)
    : fc.oneof({ weight: 12, arbitrary: pathChar }, { weight: 2, arbitrary: pctEncoded }, char('/?'));
  const value = fc.array(unit, { maxLength: 16 }).map((parts) => parts.join(''));
  return fc
    .array(fc.tuple(queryKey, value), { maxLength: 3 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
};

const noIds = (text: string) => !ID_LIKE.test(text);

/** A header value: ordinary, high bytes, naming the canary; dirty adds control bytes and huge values. */
function headerValue(ctx: FuzzContext, options: { dirty: boolean; lineBreaks: boolean }) {
  const parts = [
    { weight: 40, arbitrary: fc.string({ unit: visible, maxLength: 40 }) },
    { weight: 4, arbitrary: fc.string({ unit: fc.oneof(visible, obsText), maxLength: 40 }) },
    { weight: 3, arbitrary: fc.constantFrom(ctx.canary, `http://${ctx.canary}/`, `${ctx.canary}, ${ctx.proxy}`) },
    { weight: 2, arbitrary: fc.constantFrom('', ' ', '\t', ' padded ') },
  ];
  if (options.dirty) {
    parts.push(
      {
        weight: 4,
        arbitrary: fc.tuple(fc.string({ unit: visible, maxLength: 8 }), controlByte).map(([a, b]) => a + b),
      },
      { weight: 4, arbitrary: fc.integer({ min: 4_000, max: 40_000 }).map((n) => 'v'.repeat(n)) },
    );
  }
  if (options.lineBreaks) {
    parts.push({
      weight: 2,
      arbitrary: fc.constantFrom(
        'a\r\nx-trino-routing-group: etl',
        `a\nHost: ${ctx.canary}`,
        'a\r\n\r\nGET / HTTP/1.1',
        'a\r',
        '\r\n folded',
      ),
    });
  }
  return fc.oneof(...parts);
}

/** Header names that never change where a request goes (strict families) or any name at all (junk). */
const QUIET_NAMES = [
  'user-agent',
  'accept',
  'accept-encoding',
  'x-trino-user',
  'x-trino-client-tags',
  'x-trino-session',
  'x-trino-prepared-statement',
  'x-trino-transaction-id',
  'x-trino-client-info',
  'authorization',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'forwarded',
  'x-real-ip',
  'via',
  'origin',
  'referer',
  'expect',
  'te',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'max-forwards',
  'range',
  'if-none-match',
];
const ROUTING_NAMES = [
  'x-trino-routing-group',
  'x-trino-source',
  'x-presto-source',
  'x-trino-catalog',
  'x-trino-schema',
  'cookie',
  'host',
  'connection',
  // Not content-length / transfer-encoding: a body declared and never sent keeps the request waiting,
  // which is HTTP, not a fault (the framing property covers those headers).
];

function noiseHeaders(ctx: FuzzContext, options: { anyName: boolean; dirty: boolean }) {
  const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...QUIET_NAMES) },
    { weight: 2, arbitrary: token(24).map((t) => `x-n-${t}`) },
    ...(options.anyName
      ? [
          { weight: 2, arbitrary: fc.constantFrom(...ROUTING_NAMES) },
          { weight: 1, arbitrary: fc.string({ unit: byteChar, minLength: 1, maxLength: 12 }) },
        ]
      : []),
  );
  const header = fc.tuple(name, headerValue(ctx, { dirty: options.dirty, lineBreaks: options.anyName }));
  // Headers some proxies take a destination from: every one names the canary, which is in no registry.
  const steering = fc.subarray(
    [
      ['x-forwarded-host', ctx.canary],
      ['forwarded', `for=1.2.3.4;host=${ctx.canary};proto=http`],
      ['x-original-url', `http://${ctx.canary}/v1/info`],
      ['x-rewrite-url', `//${ctx.canary}/v1/info`],
      ['x-forwarded-server', ctx.canary],
      ['x-host', ctx.canary],
      ['x-trino-server', `http://${ctx.canary}`],
      ['x-forwarded-prefix', `http://${ctx.canary}`],
    ] as Array<[string, string]>,
    { maxLength: 3 },
  );
  return fc
    .tuple(fc.array(header, { maxLength: 8 }), fc.array(fc.nat(7), { maxLength: 3 }), steering)
    .map(([headers, repeats, steer]) => {
      // Duplicates: repeat some of the generated lines verbatim.
      const duplicated = repeats.flatMap((index) => (headers[index] === undefined ? [] : [headers[index]]));
      return [...headers, ...steer, ...duplicated] as Array<[string, string]>;
    });
}

/** The Host header: the proxy's or the canary's; dirty adds none at all and two of them. */
const hostHeader = (ctx: FuzzContext, dirty: boolean) => {
  const one = (host: string) => fc.constant([['host', host]] as Array<[string, string]>);
  const clean = [
    { weight: 4, arbitrary: one(ctx.proxy) },
    { weight: 1, arbitrary: one(ctx.canary) },
  ];
  if (!dirty) return fc.oneof(...clean);
  return fc.oneof(
    ...clean,
    { weight: 1, arbitrary: fc.constant([] as Array<[string, string]>) },
    {
      weight: 1,
      arbitrary: fc.constant([
        ['host', ctx.proxy],
        ['host', ctx.canary],
      ] as Array<[string, string]>),
    },
  );
};

/** Bodies with correct framing: none, length-delimited, or chunked with extensions and trailers. */
function body(contents: fc.Arbitrary<string>): fc.Arbitrary<BodySpec> {
  const chunked = fc
    .tuple(
      contents,
      fc.array(fc.nat(), { maxLength: 4 }),
      fc.option(token(6), { nil: undefined }),
      fc.array(fc.tuple(token(10), fc.string({ unit: visible, maxLength: 10 })), { maxLength: 2 }),
      fc.boolean(),
    )
    .map(([text, cutPoints, extension, trailers, upperHex]) => {
      const cuts = [...new Set(cutPoints.map((p) => (text.length === 0 ? 0 : p % text.length)))].sort((a, b) => a - b);
      const chunks: string[] = [];
      let from = 0;
      for (const cut of [...cuts, text.length]) {
        if (cut > from) chunks.push(text.slice(from, cut));
        from = Math.max(from, cut);
      }
      const size = (n: number) => (upperHex ? n.toString(16).toUpperCase() : n.toString(16));
      const ext = extension === undefined ? '' : `;${extension}=1`;
      const encoded = chunks.map((chunk) => `${size(chunk.length)}${ext}\r\n${chunk}\r\n`).join('');
      const trailer = trailers.map(([k, v]) => `x-t-${k}: ${v}\r\n`).join('');
      return { framing: 'transfer-encoding: chunked\r\n', bytes: `${encoded}0\r\n${trailer}\r\n` };
    });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ framing: '', bytes: '' }) },
    {
      weight: 3,
      arbitrary: contents.map((text) => ({ framing: `content-length: ${text.length}\r\n`, bytes: text })),
    },
    { weight: 2, arbitrary: chunked },
  );
}

const binaryBody = fc.oneof(
  fc.string({ unit: byteChar, maxLength: 256 }),
  fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

/** SQL that is not a kill_query, sometimes with bytes no SQL holds. */
const sqlBody = fc.oneof(
  fc.constantFrom('SELECT 1', 'select * from t', 'SHOW CATALOGS', 'CALL system.runtime.other()', ''),
  fc.string({ unit: fc.oneof(visible, obsText, char('\n\t')), maxLength: 200 }),
  fc.string({ unit: byteChar, maxLength: 64 }),
);

function killStatements(id: string): fc.Arbitrary<{ sql: string; headers: Array<[string, string]> }> {
  const plain = (sql: string) => ({ sql, headers: [] as Array<[string, string]> });
  return fc.oneof(
    fc.constant(plain(`CALL system.runtime.kill_query('${id}')`)),
    fc.constant(plain(`call system.runtime.kill_query(query_id => '${id}', message => 'fuzz')`)),
    fc.constant(plain(`/* why */ CALL "system"."runtime"."kill_query"('${id}', 'm') ;`)),
    fc.constant(plain(`-- first line\nCALL system.runtime.KILL_QUERY(\n  '${id}'\n)`)),
    fc.constant({ sql: `CALL runtime.kill_query('${id}')`, headers: [['x-trino-catalog', 'system']] }),
    fc.constant({
      sql: `CALL kill_query(message => 'x', query_id => '${id}')`,
      headers: [
        ['x-trino-catalog', 'system'],
        ['x-trino-schema', 'runtime'],
      ],
    }),
  ) as fc.Arbitrary<{ sql: string; headers: Array<[string, string]> }>;
}

const stickyMethod = (dirty: boolean) =>
  dirty
    ? fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom('GET', 'HEAD', 'DELETE', 'PUT', 'OPTIONS', 'PATCH', 'POST', 'TRACE') },
        { weight: 1, arbitrary: fc.constantFrom('get', 'FOO', 'G ET', 'GET\x00', 'PROPFIND', 'CONNECT') },
      )
    : fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('GET', 'HEAD', 'DELETE') },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'OPTIONS', 'PATCH', 'POST') },
      );
const slug = queryKey;

/** Follow-ups that name a query: they may reach only the cluster that owns it (none for an unknown id). */
function stickyRequest(
  ctx: FuzzContext,
  options: { owner?: ClusterName; plainGet?: boolean; dirty?: boolean } = {},
): fc.Arbitrary<WireRequest> {
  const dirty = options.dirty === true;
  const owner =
    options.owner === undefined
      ? (fc.constantFrom('blue', 'green', 'none') as fc.Arbitrary<ClusterName | 'none'>)
      : fc.constant(options.owner);
  return owner.chain((who) => {
    const id = ctx.ids[who];
    const other = who === 'none' ? 'blue' : OTHER[who];
    const target = fc.oneof(
      fc
        .tuple(slug, fc.nat(99), pathTail(dirty))
        .map(([s, n, tail]) => `/v1/statement/executing/${id}/${s}/${n}${tail}`),
      fc.tuple(slug, fc.nat(99)).map(([s, n]) => `/v1/statement/queued/${id}/${s}/${n}`),
      slug.map((s) => `/v1/statement/executing/partialCancel/${id}/0/${s}/1`),
      pathTail(dirty).map((tail) => `/v1/query/${id}${tail}`),
      pathTail(dirty).map((tail) => `/ui/api/query/${id}${tail}`),
      fc.constantFrom(`/v1/node?queryId=${id}`, `/v1/info?query_id=${id}`, `/ui/x?%2F${id}`, `/v1/query?${id}`),
    );
    const withQuery = fc
      .tuple(target, queryExtras(dirty))
      .map(([path, extras]) => (extras === '' ? path : path.includes('?') ? `${path}&${extras}` : `${path}?${extras}`));
    // Everything else in the request points at the other cluster.
    const temptations = fc.subarray([
      ['x-trino-routing-group', GROUP_OF[other]],
      ['x-trino-source', 'etl'],
      ['cookie', ctx.cookies[other]],
      ['x-trino-catalog', 'system'],
    ] as Array<[string, string]>);
    return (
      fc
        .record({
          method: options.plainGet ? fc.constant('GET') : stickyMethod(dirty),
          target: withQuery.filter((t) => noIds(t.split(id).join(''))),
          version: options.plainGet ? fc.constant('HTTP/1.1') : fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'),
          headers: fc
            .tuple(
              options.plainGet ? fc.constant([['host', ctx.proxy]] as Array<[string, string]>) : hostHeader(ctx, dirty),
              noiseHeaders(ctx, { anyName: false, dirty }),
              temptations,
            )
            .map(([host, noise, tempt]) => [...host, ...noise, ...tempt]),
          body: options.plainGet ? fc.constant({ framing: '', bytes: '' }) : body(binaryBody),
          allowed: fc.constant(who === 'none' ? [] : [who]),
          family: fc.constant(`sticky:${who}`),
        })
        // A POST below a statement path is a new query, as in the reference gateway (Trino never sends one).
        .filter((r) => !(r.method === 'POST' && r.target.startsWith('/v1/statement')))
    );
  });
}

/** OAuth2 handshakes carrying a valid routing cookie: they go where the cookie says. */
function cookieRequest(ctx: FuzzContext, dirty: boolean): fc.Arbitrary<WireRequest> {
  return (fc.constantFrom('blue', 'green') as fc.Arbitrary<ClusterName>).chain((who) => {
    const other = OTHER[who];
    const junkCookie = fc
      .tuple(token(8), fc.string({ unit: visible, maxLength: 30 }))
      .map(([k, v]) => `${k}=${v.replace(/;/g, '')}`);
    const before = fc.subarray([
      ctx.cookies.forged,
      other === 'green' ? ctx.cookies.expiredGreen : ctx.cookies.expiredBlue,
    ]);
    const cookieHeaders = fc
      .tuple(before, fc.array(junkCookie, { maxLength: 3 }), fc.boolean())
      .map(([bad, junk, split]): Array<[string, string]> => {
        const pairs = [...bad, ...junk, ctx.cookies[who]];
        // One Cookie header, or one per pair (clients do both).
        return split ? pairs.map((pair) => ['cookie', pair]) : [['cookie', pairs.join('; ')]];
      });
    return fc.record({
      method: fc.constantFrom('GET', 'POST', 'GET', 'HEAD', 'DELETE'),
      target: fc
        .tuple(fc.constantFrom('/oauth2', '/oauth2/callback', '/oauth2/token'), pathTail(dirty), queryExtras(dirty))
        .map(([path, tail, extras]) => `${path}${tail}${extras === '' ? '' : `?${extras}`}`)
        .filter(noIds),
      version: fc.constant('HTTP/1.1'),
      headers: fc
        .tuple(hostHeader(ctx, dirty), noiseHeaders(ctx, { anyName: false, dirty }), cookieHeaders)
        .map(([host, noise, cookies]) => [...host, ...noise, ['x-trino-routing-group', GROUP_OF[other]], ...cookies]),
      body: body(binaryBody),
      allowed: fc.constant([who]),
      family: fc.constant(`cookie:${who}`),
    });
  });
}

/** `CALL system.runtime.kill_query(…)` goes to the cluster that owns the query, wherever rules point. */
function killRequest(ctx: FuzzContext, dirty: boolean): fc.Arbitrary<WireRequest> {
  const owner = fc.constantFrom('blue', 'green', 'none') as fc.Arbitrary<ClusterName | 'none'>;
  return owner.chain((who) => {
    const other = who === 'none' ? 'blue' : OTHER[who];
    return killStatements(ctx.ids[who]).chain(({ sql, headers }) =>
      fc.record({
        method: fc.constant('POST'),
        // The reference ignores a POST's query string; an id there must not win over the SQL.
        target: fc.constantFrom('/v1/statement', `/v1/statement?queryId=${ctx.ids[other]}`),
        version: fc.constant('HTTP/1.1'),
        headers: fc
          .tuple(hostHeader(ctx, dirty), noiseHeaders(ctx, { anyName: false, dirty }))
          .map(
            ([host, noise]): Array<[string, string]> => [
              ...host,
              ...noise,
              ...headers,
              ['x-trino-routing-group', GROUP_OF[other]],
              ['x-trino-user', 'fuzz'],
            ],
          ),
        body: body(fc.constant(sql)).filter((b) => b.bytes.length > 0),
        allowed: fc.constant(who === 'none' ? [] : [who]),
        family: fc.constant(`kill:${who}`),
      }),
    );
  });
}

/** New requests: the routing group (header, rule, default) decides, and only its cluster may see them. */
function newRequest(ctx: FuzzContext, dirty: boolean): fc.Arbitrary<WireRequest> {
  const how = fc.constantFrom('default', 'header', 'rule');
  return how.chain((choice) => {
    const routing: Array<[string, string]> =
      choice === 'header' ? [['x-trino-routing-group', 'etl']] : choice === 'rule' ? [['x-trino-source', 'etl']] : [];
    const to: ClusterName = choice === 'default' ? 'blue' : 'green';
    const request = fc
      .oneof(
        fc.record({ method: fc.constant('POST'), target: fc.constant('/v1/statement'), body: body(sqlBody) }),
        fc.record({
          method: fc.constantFrom('GET', 'HEAD'),
          target: fc
            .tuple(
              fc.constantFrom('/v1/info', '/v1/node', '/ui', '/ui/', '/oauth2'),
              pathTail(dirty),
              queryExtras(dirty),
            )
            .map(([path, tail, extras]) => `${path}${tail}${extras === '' ? '' : `?${extras}`}`),
          body: fc.constant({ framing: '', bytes: '' }),
        }),
      )
      .filter((r) => noIds(r.target) && noIds(r.body.bytes));
    return fc.tuple(request, hostHeader(ctx, dirty), noiseHeaders(ctx, { anyName: false, dirty })).map(
      ([r, host, noise]): WireRequest => ({
        method: r.method,
        target: r.target,
        version: 'HTTP/1.1',
        headers: [...host, ...noise, ...routing],
        body: r.body,
        allowed: [to],
        family: `new:${choice}`,
      }),
    );
  });
}

/** Anything at all: any target form, any header (routing ones too), ids anywhere. Only the registry bounds it. */
function junkRequest(ctx: FuzzContext): fc.Arbitrary<WireRequest> {
  const anyId = fc.constantFrom(ctx.ids.blue, ctx.ids.green, ctx.ids.none);
  const target = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('/v1/statement', '/v1/query', '/ui', '/v1/spooled', '/oauth2', '/v1/info', '/'),
        pathTail(true),
      )
      .map(([p, t]) => p + t),
    fc.constantFrom(
      `http://${ctx.canary}/v1/info`,
      `https://${ctx.canary}/v1/statement`,
      `//${ctx.canary}/v1/info`,
      `/\\${ctx.canary}/v1/info`,
      `/_c/canary/v1/info`,
      `/v1/info@${ctx.canary}`,
      ctx.canary,
      '*',
      '',
      '/v1/info#frag',
      '/v1/../../etc/passwd',
    ),
    fc.integer({ min: 2_000, max: 70_000 }).map((n) => `/v1/statement/${'a'.repeat(n)}`),
    anyId.map((id) => `/ui/${id}/../${id}`),
    fc.string({ unit: byteChar, maxLength: 40 }),
  );
  return fc.record({
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE', 'HEAD', 'PUT', 'OPTIONS', 'CONNECT'), token(10)),
    target,
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.1 '),
    headers: fc
      .tuple(
        hostHeader(ctx, true),
        noiseHeaders(ctx, { anyName: true, dirty: true }),
        fc.subarray([
          ['cookie', ctx.cookies.unregistered],
          ['cookie', `${ctx.cookies.forged}; ${ctx.cookies.blue}`],
          ['x-trino-routing-group', 'canary'],
          ['x-trino-routing-group', ctx.canary],
        ] as Array<[string, string]>),
      )
      .map(([host, noise, extra]) => [...host, ...noise, ...extra]),
    body: body(
      fc.oneof(
        binaryBody,
        sqlBody,
        anyId.map((id) => `CALL system.runtime.kill_query('${id}')`),
      ),
    ),
    allowed: fc.constant(['blue', 'green'] as ClusterName[]),
    family: fc.constant('junk'),
  });
}

export function deliveryArbitrary(): fc.Arbitrary<Delivery> {
  const fraction = fc.double({ min: 0, max: 1, noNaN: true });
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ kind: 'whole' } as Delivery) },
    {
      weight: 4,
      arbitrary: fc
        .record({ cuts: fc.array(fraction, { minLength: 1, maxLength: 6 }), delayMs: fc.constantFrom(0, 0, 1, 3) })
        .map((f) => ({ kind: 'fragments', ...f }) as Delivery),
    },
    { weight: 2, arbitrary: fraction.map((at) => ({ kind: 'abort', at }) as Delivery) },
    { weight: 1, arbitrary: fraction.map((at) => ({ kind: 'halfClose', at }) as Delivery) },
    { weight: 1, arbitrary: fc.constant({ kind: 'halfClose', at: 1 } as Delivery) },
  );
}

/** Well-framed requests of every family, one per connection. */
export function routedCase(ctx: FuzzContext): fc.Arbitrary<FuzzCase> {
  // Three in four strict cases are clean, so most get past HTTP parsing and reach routing; the rest
  // carry bytes or shapes a parser must refuse.
  const both = (family: (dirty: boolean) => fc.Arbitrary<WireRequest>) =>
    fc.oneof({ weight: 3, arbitrary: family(false) }, { weight: 1, arbitrary: family(true) });
  const request = fc.oneof(
    { weight: 4, arbitrary: both((dirty) => stickyRequest(ctx, { dirty })) },
    { weight: 2, arbitrary: both((dirty) => cookieRequest(ctx, dirty)) },
    { weight: 2, arbitrary: both((dirty) => killRequest(ctx, dirty)) },
    { weight: 3, arbitrary: both((dirty) => newRequest(ctx, dirty)) },
    { weight: 2, arbitrary: junkRequest(ctx) },
  );
  return fc.record({ requests: request.map((r) => [r]), delivery: deliveryArbitrary() });
}

/**
 * Framing attacks: a follow-up owned by one cluster, then a second request owned by the other on
 * the same connection — pipelined, or hidden in the first one's body behind conflicting or malformed
 * framing. Whatever the proxy makes of the bytes, the second request must never reach the first
 * request's cluster (nor the first the second's).
 */
export function framingCase(ctx: FuzzContext): fc.Arbitrary<FuzzCase> {
  const sticky = (who: ClusterName) => stickyRequest(ctx, { owner: who, plainGet: true });
  const smuggle = fc.constantFrom(
    'cl-te', // Content-Length and Transfer-Encoding: chunked together
    'te-cl', // the same, the other order
    'te-obfuscated', // Transfer-Encoding: xchunked / chunked, identity / " chunked"
    'te-twice',
    'cl-twice', // two different Content-Length values
    'cl-list', // Content-Length: 5, 7
    'cl-plus', // Content-Length: +5
    'chunk-size-overflow',
    'chunk-size-junk',
    'chunk-lf-only',
    'cl-covers', // a correct Content-Length whose body is the second request
    'pipelined', // plainly one after the other
  );
  return fc.record({
    requests: fc
      .tuple(fc.constantFrom('blue', 'green') as fc.Arbitrary<ClusterName>)
      .chain(([first]) => fc.tuple(sticky(first), sticky(OTHER[first]))),
    smuggle,
    delivery: fc.oneof(
      { weight: 4, arbitrary: fc.constant({ kind: 'whole' } as Delivery) },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 })
          .map((cuts) => ({ kind: 'fragments', cuts, delayMs: 0 }) as Delivery),
      },
    ),
  });
}

/**
 * The bytes of one request; `last` adds `connection: close` so the proxy ends the exchange. The marker
 * goes first and last among the headers, so if a value with a line break splits the request, both
 * halves still say whose they are.
 */
export function serialize(request: WireRequest, marker: string, last: boolean, bodyOverride?: BodySpec): string {
  const body = bodyOverride ?? request.body;
  const head = request.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return (
    `${request.method} ${request.target} ${request.version}\r\nx-fuzz-case: ${marker}\r\n${head}` +
    `x-fuzz-case: ${marker}\r\n${body.framing}${last ? 'connection: close\r\n' : ''}\r\n${body.bytes}`
  );
}

/** The first request's framing and body that carry the second request's bytes, per smuggling kind. */
export function smuggledBody(kind: string, hidden: string): BodySpec {
  const chunk = `${hidden.length.toString(16)}\r\n${hidden}\r\n0\r\n\r\n`;
  switch (kind) {
    case 'cl-te':
      return { framing: `content-length: 4\r\ntransfer-encoding: chunked\r\n`, bytes: `0\r\n\r\n${hidden}` };
    case 'te-cl':
      return {
        framing: `transfer-encoding: chunked\r\ncontent-length: ${chunk.length}\r\n`,
        bytes: `0\r\n\r\n${hidden}`,
      };
    case 'te-obfuscated':
      return { framing: `transfer-encoding: xchunked\r\ncontent-length: 0\r\n`, bytes: hidden };
    case 'te-twice':
      return { framing: 'transfer-encoding: chunked\r\ntransfer-encoding: identity\r\n', bytes: `0\r\n\r\n${hidden}` };
    case 'cl-twice':
      return { framing: `content-length: 0\r\ncontent-length: ${hidden.length}\r\n`, bytes: hidden };
    case 'cl-list':
      return { framing: `content-length: 0, ${hidden.length}\r\n`, bytes: hidden };
    case 'cl-plus':
      return { framing: `content-length: +${hidden.length}\r\n`, bytes: hidden };
    case 'chunk-size-overflow':
      return { framing: 'transfer-encoding: chunked\r\n', bytes: `10000000000000000\r\n${hidden}\r\n0\r\n\r\n` };
    case 'chunk-size-junk':
      return { framing: 'transfer-encoding: chunked\r\n', bytes: `5 x\r\nhello\r\n0\r\n\r\n${hidden}` };
    case 'chunk-lf-only':
      return { framing: 'transfer-encoding: chunked\r\n', bytes: `0\n\n${hidden}` };
    case 'cl-covers':
      return { framing: `content-length: ${hidden.length}\r\n`, bytes: hidden };
    default:
      return { framing: '', bytes: hidden };
  }
}
