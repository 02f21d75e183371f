// Query ids the gateway mints itself — for queries it queues, and for submissions it fails before
// any cluster saw them. They look like Trino's (`20261203_180702_00004_…`), so every client and the
// gateway's own id extraction treat them alike, and their last part says who made them.
import { randomBytes } from 'node:crypto';

const QUEUED_MARK = 'jq';
const FAILED_MARK = 'jnctn';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

let sequence = 0;

function datePart(now: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  sequence = (sequence + 1) % 100_000;
  return `${date}_${time}_${String(sequence).padStart(5, '0')}`;
}

function randomText(length: number): string {
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) text += BASE32[byte & 31];
  return text;
}

/** A queued query's id: 50 random bits after the mark make it unique across replicas and unguessable. */
export function newQueuedQueryId(now = new Date()): string {
  return `${datePart(now)}_${QUEUED_MARK}${randomText(10)}`;
}

/**
 * The id of a submission the gateway answered FAILED itself (no cluster ever saw it); random bits
 * make it unique across replicas, so query history keeps one record per refused submission.
 */
export function newFailedQueryId(now = new Date()): string {
  return `${datePart(now)}_${FAILED_MARK}${randomText(6)}`;
}

/** True for ids from `newQueuedQueryId` (Trino's own last part is a 5-character coordinator id). */
export function isQueuedQueryId(id: string): boolean {
  const last = id.lastIndexOf('_');
  return last > 0 && id.length - last - 1 === QUEUED_MARK.length + 10 && id.startsWith(QUEUED_MARK, last + 1);
}
