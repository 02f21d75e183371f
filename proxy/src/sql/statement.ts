// A submitted statement as the gateway sees it: the body exactly as sent (resent unchanged), and
// what routing may ask of its SQL, each worked out at most once per submission and only if asked.
import type { IncomingHttpHeaders } from 'node:http';
import { sessionCatalog, sessionSchema } from '../http/trino-headers.js';
import type { SqlAnalyser } from './analyser.js';
import type { SqlFacts } from './facts.js';
import { extractKillQueryId } from './kill-query.js';

export class Statement {
  #sql: string | undefined;
  #killed: string | null | undefined;
  #facts: SqlFacts | undefined;
  #external: Promise<unknown> | undefined;

  constructor(
    /** The request body, byte for byte. */
    readonly body: Buffer,
    readonly headers: IncomingHttpHeaders,
  ) {}

  get sql(): string {
    this.#sql ??= this.body.toString('utf8');
    return this.#sql;
  }

  /** The query id a `CALL system.runtime.kill_query(…)` statement names, else undefined. */
  killedQueryId(): string | undefined {
    if (this.#killed === undefined) {
      const id = extractKillQueryId(this.sql, {
        catalog: sessionCatalog(this.headers),
        schema: sessionSchema(this.headers),
      });
      this.#killed = id ?? null;
    }
    return this.#killed ?? undefined;
  }

  /** What the statement references (sql.* in rules): analysed on the first call only. */
  sqlFacts(analyser: SqlAnalyser): SqlFacts {
    this.#facts ??= analyser.analyse(this.body, () => this.sql, {
      catalog: sessionCatalog(this.headers),
      schema: sessionSchema(this.headers),
    });
    return this.#facts;
  }

  /** The facts if some step already asked for them. */
  knownSqlFacts(): SqlFacts | undefined {
    return this.#facts;
  }

  /** The external routing service's choice for this statement: `ask` runs on the first call only. */
  externalChoice<T>(ask: () => Promise<T | undefined>): Promise<T | undefined> {
    this.#external ??= ask();
    return this.#external as Promise<T | undefined>;
  }

  /**
   * Headers the external routing service chose to add to this statement's request to its cluster
   * (its `externalHeaders`), set when its group is the one used; lower-case names.
   */
  upstreamExtraHeaders: Readonly<Record<string, string>> | undefined;
}
