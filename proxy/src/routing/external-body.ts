// What Junction tells an external routing service about a new statement, and how it reads the answer: the
// reference Trino Gateway's request and response shapes (so services written for it work unchanged), plus a
// `junction` object in Junction's own terms. Pure: no sockets here.
import type { RuleRequest, RuleSql } from '@junction/shared';

export interface ExternalRequestInput {
  readonly method: string;
  readonly path: string;
  /** The query string without '?', '' when none. */
  readonly query: string;
  readonly remoteAddress: string | undefined;
  /** What CEL rules see as `request`. */
  readonly request: RuleRequest;
  /** The statement's facts, when they are to be sent. */
  readonly sql: RuleSql | undefined;
  /** The statement text ('' when it is over routing.sqlFacts.maxBytes or facts are not sent). */
  readonly body: string;
  /** The forwarded headers (configured names that the request carries), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The JSON body POSTed to the service. */
export function externalRequestBody(input: ExternalRequestInput): Record<string, unknown> {
  const { request, sql } = input;
  const parameters: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(input.query)) parameters[key] = [...(parameters[key] ?? []), value];
  return {
    trinoQueryProperties: sql === undefined ? null : queryProperties(sql, input.body, request),
    trinoRequestUser: request.user === '' ? null : { user: request.user },
    contentType: 'application/json',
    // A servlet's authenticated principal; Junction authenticates nobody on the Trino port.
    remoteUser: null,
    method: input.method,
    requestURI: input.path,
    queryString: input.query === '' ? null : input.query,
    session: null,
    remoteAddr: input.remoteAddress ?? null,
    remoteHost: input.remoteAddress ?? null,
    parameters,
    junction: {
      user: request.user,
      source: request.source,
      clientTags: request.clientTags,
      catalog: request.catalog,
      schema: request.schema,
      headers: input.headers,
      sql: sql ?? null,
    },
  };
}

/** Trino Gateway's TrinoQueryProperties, from Junction's facts (its `schemas` are bare names). */
function queryProperties(sql: RuleSql, body: string, request: RuleRequest): Record<string, unknown> {
  const bare = [...new Set(sql.schemas.map((schema) => schema.slice(schema.indexOf('.') + 1)))].sort();
  return {
    body,
    queryType: sql.statement,
    resourceGroupQueryType: sql.queryType,
    tables: sql.tables,
    defaultCatalog: request.catalog === '' ? null : request.catalog,
    defaultSchema: request.schema === '' ? null : request.schema,
    catalogs: sql.catalogs,
    schemas: bare,
    catalogSchemas: sql.schemas,
    isNewQuerySubmission: true,
    isQueryParsingSuccessful: sql.parsed,
    errorMessage: sql.parsed ? null : sql.error,
  };
}

/** The service's answer: a group, no opinion (no group named), or why it cannot be used. */
export type ExternalAnswer =
  | { readonly ok: true; readonly group: string | undefined; readonly headers: ExternalHeaders }
  | { readonly ok: false; readonly outcome: 'error_answer' | 'malformed'; readonly error: string };

/** Headers the service adds to (or replaces in) the statement request sent to the cluster, lower-case names. */
export type ExternalHeaders = Readonly<Record<string, string>>;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers a routing service may not set: they frame the request or say who the client is. */
const RESERVED =
  /^(host|content-length|transfer-encoding|connection|keep-alive|te|trailer|upgrade|expect|forwarded|x-forwarded-.*|proxy-.*)$/;

/** `externalHeaders` as Trino Gateway reads it (an object of strings); names it may not set are dropped. */
function readHeaders(value: unknown): ExternalHeaders | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return '"externalHeaders" is not an object';
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value as Record<string, unknown>)) {
    if (typeof text !== 'string' || !TOKEN.test(name) || /[\r\n\0]/.test(text)) {
      return `"externalHeaders" has an invalid header "${name.slice(0, 64)}"`;
    }
    const lower = name.toLowerCase();
    if (!RESERVED.test(lower)) headers[lower] = text;
  }
  return headers;
}

/** Reads `{ routingGroup, errors, externalHeaders }`; anything else is malformed. */
export function readExternalAnswer(text: string): ExternalAnswer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, outcome: 'malformed', error: 'the answer is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, outcome: 'malformed', error: 'the answer is not a JSON object' };
  }
  const { routingGroup, errors, externalHeaders } = value as Record<string, unknown>;
  if (errors !== undefined && errors !== null) {
    if (!Array.isArray(errors)) return { ok: false, outcome: 'malformed', error: '"errors" is not a list' };
    if (errors.length > 0) return { ok: false, outcome: 'error_answer', error: errors.map(String).join(', ') };
  }
  const headers = readHeaders(externalHeaders);
  if (typeof headers === 'string') return { ok: false, outcome: 'malformed', error: headers };
  if (routingGroup === undefined || routingGroup === null || routingGroup === '') {
    return { ok: true, group: undefined, headers };
  }
  if (typeof routingGroup !== 'string') {
    return { ok: false, outcome: 'malformed', error: '"routingGroup" is not a string' };
  }
  return { ok: true, group: routingGroup, headers };
}
