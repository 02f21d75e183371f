// Property-based fuzzing (fast-check) of everything a client controls, as raw bytes on real sockets
// against the in-process proxy and two simulated clusters. Properties, for every case:
//   - the proxy never crashes (it keeps answering) and logs no unexpected error;
//   - its own answers are JSON, never HTML, and nothing it sends holds a stack trace;
//   - it never connects to a host outside the registry (a canary listener sees no connection);
//   - a request reaches only the clusters its case allows: the owner of the query, cookie or killed
//     query it names, the cluster of its routing group, and for a smuggled request never its neighbour's.
// FUZZ_CASES sets the total (default 3000, `make fuzz` runs 100,000); FUZZ_SEED replays a run.
import fc from 'fast-check';
import { type FuzzCase, framingCase, routedCase, serialize, smuggledBody } from './client-requests.js';
import { createQuery, FuzzEnvironment } from './fuzz-env.js';
import { exchange, type RawResponse } from './http-bytes.js';

const TOTAL = Number(process.env['FUZZ_CASES'] ?? 3000);
const SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
const ROUTED = Math.round((TOTAL * 2) / 3);
const FRAMING = TOTAL - ROUTED;
/** A budget per case far above what one takes (about a millisecond), so only a hang trips it. */
const timeoutFor = (cases: number) => 60_000 + cases * 50;

const STACK_TRACE = /\n\s+at \S.*[(:]\d+:\d+\)?|\bat (?:async )?\S+ \((?:file|node):/;
const HTML = /<!doctype|<html|<body|<head/i;

let env: FuzzEnvironment;
const tally = {
  exchanges: 0,
  responses: 0,
  forwarded: 0,
  hung: 0,
  statuses: new Map<number, number>(),
  /** family → [cases, forwarded to a cluster] */
  families: new Map<string, [number, number]>(),
};

beforeAll(async () => {
  env = await FuzzEnvironment.start();
}, 60_000);

afterAll(async () => {
  const statuses = [...tally.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
  const families = [...tally.families.entries()].sort().map(([f, [n, fwd]]) => `${f}:${n}/${fwd}`);
  process.stdout.write(
    `fuzz: ${tally.exchanges} connections, ${tally.responses} responses (${tally.forwarded} from a cluster), ` +
      `statuses ${statuses.join(' ')}\nfuzz: requests per family (generated/forwarded) ${families.join(' ')}\n`,
  );
  await env?.close();
});

function header(response: RawResponse, name: string): string {
  return (response.headers.get(name) ?? []).join(', ');
}

/** What must hold for one response; `forwarded` when a cluster received the request it answers. */
function checkResponse(response: RawResponse, forwarded: boolean): string[] {
  const problems: string[] = [];
  const text = response.body.toString('latin1');
  const head = [...response.headers.entries()].map(([k, v]) => `${k}: ${v.join(', ')}`).join('\n');
  if (STACK_TRACE.test(text) || STACK_TRACE.test(head)) problems.push(`a stack trace in a ${response.status} answer`);
  if (!forwarded) {
    // The proxy's own answer (nothing reached a cluster): a JSON error or a FAILED QueryResults.
    if (response.status >= 500 && response.status !== 502 && response.status !== 503 && response.status !== 504) {
      problems.push(`the proxy answered ${response.status} by itself`);
    }
    if (HTML.test(text)) problems.push(`an HTML ${response.status} answer from the proxy`);
    if (response.body.length > 0) {
      const type = header(response, 'content-type');
      if (!type.startsWith('application/json'))
        problems.push(`a ${response.status} answer with content-type "${type}"`);
      else {
        try {
          JSON.parse(response.body.toString('utf8'));
        } catch {
          problems.push(`a ${response.status} answer that is not JSON: ${text.slice(0, 120)}`);
        }
      }
    }
  }
  return problems;
}

async function runCase(fuzzCase: FuzzCase): Promise<void> {
  const [first, second] = fuzzCase.requests;
  if (first === undefined) return;
  const markers = fuzzCase.requests.map((r) => env.register(r.allowed, r.family));
  let bytes: string;
  if (second === undefined) {
    bytes = serialize(first, markers[0] as string, true);
  } else {
    // The hidden request ends with `connection: close`; a sentinel after it does too, so whichever the
    // proxy reads last, it closes the connection, and how many answers there are need not be guessed.
    const hidden = serialize(second, markers[1] as string, true);
    const sentinel = `GET /v1/info HTTP/1.1\r\nhost: ${env.ctx.proxy}\r\nx-fuzz-case: ${env.register(['blue', 'green'], 'sentinel')}\r\nconnection: close\r\n\r\n`;
    const kind = fuzzCase.smuggle ?? 'pipelined';
    bytes =
      kind === 'pipelined'
        ? serialize(first, markers[0] as string, false) + hidden
        : serialize(first, markers[0] as string, false, smuggledBody(kind, hidden)) + sentinel;
  }
  const [host, port] = env.ctx.proxy.split(':') as [string, string];
  const result = await exchange(host, Number(port), bytes, {
    delivery: fuzzCase.delivery,
    expected: second === undefined ? 1 : Number.POSITIVE_INFINITY,
    headOnly: fuzzCase.requests.map((r) => r.method === 'HEAD'),
  });
  tally.exchanges++;
  const problems = env.sweep();
  fuzzCase.requests.forEach((r, index) => {
    const counts = tally.families.get(r.family) ?? [0, 0];
    counts[0]++;
    if (env.wasForwarded(markers[index] as string)) counts[1]++;
    tally.families.set(r.family, counts);
  });
  if (result.hung) {
    tally.hung++;
    problems.push('the connection was neither answered nor closed within 10 s');
  }
  result.responses.forEach((response) => {
    tally.responses++;
    tally.statuses.set(response.status, (tally.statuses.get(response.status) ?? 0) + 1);
    // A single request's answer is its own; with several, which answer is whose depends on the framing.
    const forwarded =
      second === undefined ? env.wasForwarded(markers[0] as string) : markers.some((m) => env.wasForwarded(m));
    if (forwarded) tally.forwarded++;
    problems.push(...checkResponse(response, forwarded));
  });
  if (env.canaryConnections > 0)
    problems.push(`the canary outside the registry saw ${env.canaryConnections} connection(s)`);
  problems.push(...env.takeErrors().map((line) => `the proxy logged an error: ${line.slice(0, 300)}`));
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/** The proxy still serves real work: a query to each group, start to finish of the first page. */
async function stillServes(): Promise<void> {
  const blue = await createQuery(env.proxy.url, { 'x-fuzz-case': env.register(['blue'], 'check') });
  const green = await createQuery(env.proxy.url, {
    'x-trino-routing-group': 'etl',
    'x-fuzz-case': env.register(['green'], 'check'),
  });
  expect(env.sims.blue.queryIds()).toContain(blue);
  expect(env.sims.green.queryIds()).toContain(green);
  expect(env.sweep()).toEqual([]);
}

const parameters = (numRuns: number): fc.Parameters<[FuzzCase]> => ({
  numRuns,
  ...(SEED === undefined ? {} : { seed: SEED }),
  // A failing case is shrunk on the real proxy; bound that so a failure reports in reasonable time.
  // Running out of time counts as a failure, so a passing run always ran every case.
  interruptAfterTimeLimit: timeoutFor(numRuns) - 30_000,
  markInterruptAsFailure: true,
});

it(
  `well-framed requests of every family (${ROUTED} cases): no crash, no HTML or stack trace, no host outside the registry, no leak`,
  async () => {
    await fc.assert(fc.asyncProperty(routedCase(env.ctx), runCase), parameters(ROUTED));
    await stillServes();
  },
  timeoutFor(ROUTED),
);

it(
  `framing attacks and pipelining (${FRAMING} cases): a smuggled request never reaches its neighbour's cluster`,
  async () => {
    await fc.assert(fc.asyncProperty(framingCase(env.ctx), runCase), parameters(FRAMING));
    await stillServes();
  },
  timeoutFor(FRAMING),
);
