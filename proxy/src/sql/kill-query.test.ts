// Which kill_query statements name a query id (and so belong to the cluster that owns it), and which do not.
import { extractKillQueryId } from './kill-query.js';

const ID = '20200416_160256_03078_6b4yt';

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
