// Applies the history schema's numbered SQL migrations (migrations/NNNN_name.sql, shipped beside the
// compiled code) at start: all pending ones in one transaction, under an advisory lock so replicas
// starting together apply each once, recorded in junction_history_migrations.
import { readdir, readFile } from 'node:fs/promises';
import type { Pool } from 'pg';

const DIRECTORY = new URL('./migrations/', import.meta.url);
const FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;
/** pg_advisory_xact_lock key: "junction history" folded into a bigint. */
const LOCK_KEY = 0x6a756e6374686973n;

/** Applies what is pending; resolves the names applied now (empty when up to date). */
export async function migrateHistorySchema(pool: Pool): Promise<string[]> {
  const files = (await readdir(DIRECTORY)).filter((name) => FILE.test(name)).sort();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY.toString()]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS junction_history_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM junction_history_migrations')).rows.map(
        (row) => row.version,
      ),
    );
    const applied: string[] = [];
    for (const name of files) {
      const version = Number(FILE.exec(name)?.[1]);
      if (done.has(version)) continue;
      await client.query(await readFile(new URL(name, DIRECTORY), 'utf8'));
      await client.query('INSERT INTO junction_history_migrations (version, name) VALUES ($1, $2)', [version, name]);
      applied.push(name);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
