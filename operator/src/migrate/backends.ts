// Trino Gateway backends → TrinoClusters. Trino Gateway keeps backends in its database (table
// gateway_backend), not in config.yaml; this reads them as exported by its API
// (GET /gateway/backend/all: name, proxyTo, externalUrl, active, routingGroup) or as table rows
// (name, backend_url, external_url, active, routing_group), in JSON or YAML.
import { API_VERSION, TrinoCluster } from '@junction/shared';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type MigrationOptions, metadata, type ResourceNames } from './resources.js';

export interface BackendProblem {
  readonly backend: string | undefined;
  readonly line: number;
  readonly reason: string;
}

export interface ConvertedBackends {
  readonly clusters: readonly object[];
  /** Trino Gateway routing groups of the converted backends, in first-seen order. */
  readonly groups: readonly string[];
  readonly problems: readonly BackendProblem[];
  readonly notes: readonly string[];
  /** Errors that stop everything: unreadable input, or not a backend list at all. */
  readonly fatal: readonly string[];
}

const FIELDS: Record<string, string> = {
  name: 'name',
  proxyTo: 'proxyTo',
  backend_url: 'proxyTo',
  externalUrl: 'externalUrl',
  external_url: 'externalUrl',
  active: 'active',
  routingGroup: 'routingGroup',
  routing_group: 'routingGroup',
};
/** Extra fields of POST /webapp/getAllBackends, which carry state, not configuration. */
const STATE_FIELDS = new Set(['queued', 'running', 'status']);
const CONFIG_KEYS = ['serverConfig', 'dataStore', 'routingRules', 'routing', 'monitor', 'clusterStatsConfiguration'];
const EXPORT_HINT =
  'export them with `curl -s http://<gateway>:8080/gateway/backend/all > backends.json` ' +
  '(or `SELECT … FROM gateway_backend` as JSON)';

/** The coordinator origin from proxyTo, or why it is not one. */
export function originOf(proxyTo: string): { url: string } | { reason: string } {
  const trimmed = proxyTo.replace(/\/+$/, ''); // Trino Gateway strips trailing slashes too
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { reason: `proxyTo "${proxyTo}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { reason: `proxyTo "${proxyTo}" is not http(s)` };
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return {
      reason:
        `proxyTo "${proxyTo}" is more than an origin (scheme://host:port): Junction sends the client's path to ` +
        "the cluster's origin, so a path, query or credentials there would be lost; point spec.url at the coordinator itself",
    };
  }
  return { url: trimmed };
}

export function convertBackends(
  text: string,
  options: MigrationOptions,
  clusterNames: ResourceNames,
  groupNames: ResourceNames,
): ConvertedBackends {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter });
  const empty = { clusters: [], groups: [], problems: [], notes: [] };
  if (document.errors.length > 0) {
    return {
      ...empty,
      fatal: document.errors.map((e) => `line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`),
    };
  }
  const root = document.contents;
  if (!isSeq(root)) {
    const keys = isMap(root) ? root.items.map((pair) => String((pair.key as { value?: unknown })?.value)) : [];
    const config = keys.some((key) => CONFIG_KEYS.includes(key));
    const reason = config
      ? `this is a Trino Gateway config.yaml, which holds no backends: Trino Gateway keeps them in its database; ${EXPORT_HINT}`
      : `expected a list of backends; ${EXPORT_HINT}`;
    return { ...empty, fatal: [reason] };
  }

  const clusters: object[] = [];
  const groups: string[] = [];
  const problems: BackendProblem[] = [];
  const notes = new Set<string>();
  for (const item of root.items) {
    const line = counter.linePos((item as Node).range?.[0] ?? 0).line;
    const value = (item as Node).toJSON() as unknown;
    const backend = readBackend(value, notes);
    if ('reason' in backend) {
      problems.push({ backend: backend.name, line, reason: backend.reason });
      continue;
    }
    const fail = (reason: string) => problems.push({ backend: backend.name, line, reason });
    const origin = originOf(backend.proxyTo);
    if ('reason' in origin) {
      fail(origin.reason);
      continue;
    }
    const name = clusterNames.resolve(backend.name);
    const group = groupNames.resolve(backend.routingGroup);
    if (!name.ok || !group.ok) {
      fail(name.ok ? (group as { reason: string }).reason : name.reason);
      continue;
    }
    const externalUrl = backend.externalUrl?.replace(/\/+$/, '');
    const manifest = {
      apiVersion: API_VERSION,
      kind: 'TrinoCluster',
      metadata: metadata(name.name, backend.name, { [options.labelKey]: group.name }),
      spec: {
        url: origin.url,
        ...(externalUrl === undefined || externalUrl === origin.url ? {} : { externalUrl }),
        enabled: backend.active,
      },
    };
    const checked = TrinoCluster.safeParse(manifest);
    if (!checked.success) {
      fail(checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
      continue;
    }
    clusters.push(manifest);
    if (!groups.includes(backend.routingGroup)) groups.push(backend.routingGroup);
  }
  return { clusters, groups, problems, notes: [...notes], fatal: [] };
}

interface Backend {
  readonly name: string;
  readonly proxyTo: string;
  readonly externalUrl: string | undefined;
  readonly active: boolean;
  readonly routingGroup: string;
}

function readBackend(value: unknown, notes: Set<string>): Backend | { name: string | undefined; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { name: undefined, reason: 'a backend must be an object with name and proxyTo' };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const known = FIELDS[key];
    if (known !== undefined) fields[known] = field;
    else if (!STATE_FIELDS.has(key)) notes.add(`backend key "${key}" is not a Trino Gateway backend field; ignored`);
  }
  const name = typeof fields.name === 'string' && fields.name !== '' ? fields.name : undefined;
  if (name === undefined) return { name: undefined, reason: 'name is required' };
  if (typeof fields.proxyTo !== 'string') return { name, reason: 'proxyTo is required' };
  if (fields.externalUrl !== undefined && fields.externalUrl !== null && typeof fields.externalUrl !== 'string') {
    return { name, reason: 'externalUrl must be a string' };
  }
  // Booleans from the API and PostgreSQL; 0/1 from MySQL and Oracle columns. Absent = true, as in Trino Gateway.
  const active =
    fields.active === undefined || typeof fields.active === 'boolean'
      ? (fields.active ?? true)
      : fields.active === 1 || fields.active === 0
        ? fields.active === 1
        : undefined;
  if (active === undefined)
    return { name, reason: `active must be true or false, got ${JSON.stringify(fields.active)}` };
  // The API defaults a missing routingGroup to "adhoc"; a NULL column routes nowhere in Trino Gateway.
  const routingGroup = fields.routingGroup === undefined ? 'adhoc' : fields.routingGroup;
  if (typeof routingGroup !== 'string' || routingGroup === '')
    return { name, reason: 'routingGroup must be a non-empty string' };
  return {
    name,
    proxyTo: fields.proxyTo,
    externalUrl: (fields.externalUrl as string | null) ?? undefined,
    active,
    routingGroup,
  };
}
