// The external routing service's request body and answers: Trino Gateway's shapes, with Junction's facts
// mapped onto TrinoQueryProperties, and every answer that is not a usable `{ routingGroup }` refused.
import type { RuleRequest } from '@junction/shared';
import { externalRequestBody, readExternalAnswer } from './external-body.js';

const request: RuleRequest = {
  method: 'POST',
  path: '/v1/statement',
  query: {},
  headers: {},
  user: 'alice',
  source: 'airflow',
  clientTags: ['etl'],
  catalog: '',
  schema: '',
};

describe('externalRequestBody', () => {
  it('maps the facts onto TrinoQueryProperties, schemas as bare names', () => {
    const body = externalRequestBody({
      method: 'POST',
      path: '/v1/statement',
      query: 'a=1&a=2',
      remoteAddress: '127.0.0.1',
      request,
      sql: {
        parsed: true,
        error: '',
        statement: 'Insert',
        queryType: 'INSERT',
        catalogs: ['hive', 'kafka'],
        schemas: ['hive.web', 'kafka.web'],
        tables: ['hive.web.views', 'kafka.web.clicks'],
      },
      body: 'INSERT INTO …',
      headers: { 'x-trino-user': 'alice' },
    });
    expect(body).toMatchObject({
      trinoQueryProperties: {
        queryType: 'Insert',
        resourceGroupQueryType: 'INSERT',
        schemas: ['web'],
        catalogSchemas: ['hive.web', 'kafka.web'],
        defaultCatalog: null,
        isQueryParsingSuccessful: true,
        errorMessage: null,
      },
      trinoRequestUser: { user: 'alice' },
      queryString: 'a=1&a=2',
      parameters: { a: ['1', '2'] },
      remoteAddr: '127.0.0.1',
      junction: { source: 'airflow', clientTags: ['etl'], headers: { 'x-trino-user': 'alice' } },
    });
  });

  it('sends no TrinoQueryProperties when facts are not sent, and the reason when the statement did not parse', () => {
    const base = {
      method: 'POST',
      path: '/v1/statement',
      query: '',
      remoteAddress: undefined,
      request,
      body: '',
      headers: {},
    };
    expect(externalRequestBody({ ...base, sql: undefined }).trinoQueryProperties).toBeNull();
    const unparsed = {
      parsed: false,
      error: 'statement larger than 10 bytes',
      statement: '',
      queryType: '',
      catalogs: [],
      schemas: [],
      tables: [],
    };
    expect(externalRequestBody({ ...base, sql: unparsed }).trinoQueryProperties).toMatchObject({
      isQueryParsingSuccessful: false,
      errorMessage: 'statement larger than 10 bytes',
    });
  });
});

describe('readExternalAnswer', () => {
  it.each<[string, ReturnType<typeof readExternalAnswer>]>([
    ['{"routingGroup":"etl","errors":[]}', { ok: true, group: 'etl', headers: {} }],
    ['{"routingGroup":"etl","errors":null,"externalHeaders":{}}', { ok: true, group: 'etl', headers: {} }],
    [
      '{"routingGroup":"etl","externalHeaders":{"X-Trino-Client-Tags":"etl,nightly","Host":"evil","X-Forwarded-For":"1.2.3.4"}}',
      { ok: true, group: 'etl', headers: { 'x-trino-client-tags': 'etl,nightly' } },
    ],
    [
      '{"routingGroup":"etl","externalHeaders":{"X-Trino-Session":42}}',
      { ok: false, outcome: 'malformed', error: '"externalHeaders" has an invalid header "X-Trino-Session"' },
    ],
    [
      '{"routingGroup":"etl","externalHeaders":["a"]}',
      { ok: false, outcome: 'malformed', error: '"externalHeaders" is not an object' },
    ],
    ['{"routingGroup":null}', { ok: true, group: undefined, headers: {} }],
    ['{}', { ok: true, group: undefined, headers: {} }],
    ['{"routingGroup":"etl","errors":["no"]}', { ok: false, outcome: 'error_answer', error: 'no' }],
    ['{"routingGroup":42}', { ok: false, outcome: 'malformed', error: '"routingGroup" is not a string' }],
    ['{"errors":"bad"}', { ok: false, outcome: 'malformed', error: '"errors" is not a list' }],
    ['["etl"]', { ok: false, outcome: 'malformed', error: 'the answer is not a JSON object' }],
    ['etl', { ok: false, outcome: 'malformed', error: 'the answer is not JSON' }],
  ])('%s', (text, expected) => {
    expect(readExternalAnswer(text)).toEqual(expected);
  });
});
