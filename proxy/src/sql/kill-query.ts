// Recognises `CALL system.runtime.kill_query('<id>', …)` in a statement body, so the kill reaches
// the cluster that owns the query rather than wherever a new query would go.
import { isDigit, isTrinoId, isWordChar } from '../http/query-id.js';

/** A forward-only reader over one SQL text: just enough grammar to recognise a CALL statement. */
class SqlCursor {
  pos = 0;
  constructor(readonly sql: string) {}

  /** Skips whitespace and comments; false on an unterminated block comment (a parse error in Trino). */
  skip(): boolean {
    const sql = this.sql;
    while (this.pos < sql.length) {
      const code = sql.charCodeAt(this.pos);
      if (code === 0x20 || (code >= 0x09 && code <= 0x0d)) {
        this.pos++;
      } else if (code === 0x2d && sql.charCodeAt(this.pos + 1) === 0x2d) {
        const newline = sql.indexOf('\n', this.pos + 2);
        this.pos = newline < 0 ? sql.length : newline + 1;
      } else if (code === 0x2f && sql.charCodeAt(this.pos + 1) === 0x2a) {
        const close = sql.indexOf('*/', this.pos + 2);
        if (close < 0) return false;
        this.pos = close + 2;
      } else {
        break;
      }
    }
    return true;
  }

  at(char: string): boolean {
    return this.sql.startsWith(char, this.pos);
  }

  /** An unquoted or double-quoted identifier, lower-cased as Trino does for both; undefined if none. */
  identifier(): string | undefined {
    const sql = this.sql;
    const start = this.pos;
    if (sql.charCodeAt(start) === 0x22) {
      let i = start + 1;
      for (;;) {
        const close = sql.indexOf('"', i);
        if (close < 0) return undefined;
        if (sql.charCodeAt(close + 1) !== 0x22) {
          this.pos = close + 1;
          return sql
            .slice(start + 1, close)
            .replaceAll('""', '"')
            .toLowerCase();
        }
        i = close + 2;
      }
    }
    const first = sql.charCodeAt(start);
    if (!isWordChar(first) || isDigit(first)) return undefined;
    let i = start + 1;
    while (i < sql.length && isWordChar(sql.charCodeAt(i))) i++;
    this.pos = i;
    return sql.slice(start, i).toLowerCase();
  }

  /** A single-quoted literal's raw content (`''` left as is); undefined if none or unterminated. */
  stringLiteral(): string | undefined {
    const sql = this.sql;
    if (sql.charCodeAt(this.pos) !== 0x27) return undefined;
    let i = this.pos + 1;
    for (;;) {
      const close = sql.indexOf("'", i);
      if (close < 0) return undefined;
      if (sql.charCodeAt(close + 1) !== 0x27) {
        const content = sql.slice(this.pos + 1, close);
        this.pos = close + 1;
        return content;
      }
      i = close + 2;
    }
  }

  /** Skips one argument expression up to its `,` or `)`; false if it is empty or never ends. */
  expression(): boolean {
    const start = this.pos;
    let depth = 0;
    while (this.skip() && this.pos < this.sql.length) {
      const code = this.sql.charCodeAt(this.pos);
      if ((code === 0x2c || code === 0x29) && depth === 0) return this.pos > start;
      if (code === 0x27) {
        if (this.stringLiteral() === undefined) return false;
      } else if (code === 0x22) {
        if (this.identifier() === undefined) return false;
      } else {
        if (code === 0x28) depth++;
        else if (code === 0x29) depth--;
        this.pos++;
      }
    }
    return false;
  }
}

/**
 * The query a statement kills, when the whole statement is `CALL system.runtime.kill_query(…)`:
 * its first positional argument or its `query_id => …` argument, a string literal shaped like a
 * Trino id. A 1- or 2-part procedure name is qualified with the session's catalog and schema
 * (`X-Trino-Catalog`/`X-Trino-Schema`), as Trino does. The reference takes the first argument even
 * when it is named `message`; naming wins here.
 */
export function extractKillQueryId(
  sql: string,
  defaults?: { readonly catalog?: string; readonly schema?: string },
): string | undefined {
  const cursor = new SqlCursor(sql);
  if (!cursor.skip() || cursor.identifier() !== 'call' || !cursor.skip()) return undefined;

  const parts: string[] = [];
  for (;;) {
    const part = cursor.identifier();
    if (part === undefined || parts.push(part) > 3 || !cursor.skip()) return undefined;
    if (!cursor.at('.')) break;
    cursor.pos++;
    if (!cursor.skip()) return undefined;
  }
  const count = parts.length;
  const schema = count >= 2 ? parts[count - 2] : defaults?.schema?.toLowerCase();
  const catalog = count === 3 ? parts[0] : defaults?.catalog?.toLowerCase();
  if (parts[count - 1] !== 'kill_query' || schema !== 'runtime' || catalog !== 'system') return undefined;

  if (!cursor.at('(')) return undefined;
  cursor.pos++;
  let queryId: string | undefined;
  for (let index = 0; ; index++) {
    if (!cursor.skip()) return undefined;
    const argumentStart = cursor.pos;
    let name = cursor.identifier();
    if (name !== undefined && cursor.skip() && cursor.at('=>')) cursor.pos += 2;
    else name = undefined;
    if (name === undefined) cursor.pos = argumentStart;
    if (!cursor.skip()) return undefined;

    const valueStart = cursor.pos;
    let value = cursor.stringLiteral();
    if (value !== undefined && (!cursor.skip() || !(cursor.at(',') || cursor.at(')')))) value = undefined;
    if (value === undefined) {
      // Not a plain literal (e.g. `'a' || 'b'`): skip the whole expression.
      cursor.pos = valueStart;
      if (!cursor.expression()) return undefined;
    }
    if (name === undefined ? index === 0 : name === 'query_id') {
      if (value === undefined) return undefined;
      queryId = value;
    }
    if (cursor.at(')')) break;
    cursor.pos++; // the `,`
  }
  cursor.pos++;
  if (!cursor.skip()) return undefined;
  if (cursor.at(';')) {
    cursor.pos++;
    if (!cursor.skip()) return undefined;
  }
  if (cursor.pos !== sql.length || queryId === undefined) return undefined;
  return isTrinoId(queryId) ? queryId : undefined;
}
