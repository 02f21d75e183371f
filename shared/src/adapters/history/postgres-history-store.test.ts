// PostgreSQL specifics beyond the contract: migrations apply once and are recorded, text search
// is served by a trigram index, and a failure never repeats the connection URL's password.
import pg from 'pg';
import { freePort } from '../../../../test/harness/ports.js';
import { type PostgresServer, startPostgres } from '../../../../test/harness/postgres.js';
import { PostgresHistoryStore } from './postgres-history-store.js';
import { migrateHistorySchema } from './postgres-migrations.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(() => server.stop());

test('migrations run once, in order, and are recorded; replicas starting together apply each once', async () => {
  const url = await server.createDatabase('migrations');
  const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: url, max: 1 }));
  try {
    const applied = await Promise.all(pools.map((pool) => migrateHistorySchema(pool)));
    expect(applied.flat().sort()).toEqual(['0001_history.sql', '0002_sql_trigram.sql']);
    await expect(migrateHistorySchema(pools[0] as pg.Pool)).resolves.toEqual([]);
    const rows = (await (pools[0] as pg.Pool).query('SELECT version, name FROM junction_history_migrations ORDER BY 1'))
      .rows;
    expect(rows).toEqual([
      { version: 1, name: '0001_history.sql' },
      { version: 2, name: '0002_sql_trigram.sql' },
    ]);
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
});

test('text search is served by the pg_trgm index and the filters have indexes', async () => {
  const url = await server.createDatabase('indexes');
  const store = await PostgresHistoryStore.open({ url, maxRecords: 10 });
  try {
    await expect(store.textSearch()).resolves.toBe('trigram');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const names = (
      await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'junction_history'")
    ).rows.map((row) => row.indexname as string);
    await client.end();
    for (const column of ['query_id', 'user', 'source', 'group', 'cluster', 'state', 'submitted', 'sql_trgm']) {
      expect(names).toContain(`junction_history_${column}`);
    }
  } finally {
    await store.close();
  }
});

test('a server that cannot be reached fails start-up without repeating the password', async () => {
  const url = `postgres://junction:s3cret-word@127.0.0.1:${await freePort()}/postgres`;
  const failure = await PostgresHistoryStore.open({ url, maxRecords: 10 }).then(
    () => undefined,
    (error: Error) => error,
  );
  expect(failure?.message).toMatch(/cannot prepare the PostgreSQL schema/);
  expect(failure?.message).not.toContain('s3cret-word');
});
