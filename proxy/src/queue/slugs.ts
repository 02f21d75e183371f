// The slug in a queued query's URIs: a MAC of its id under a secret every replica shares.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The slug of a queued query's URIs: a MAC of its id under a secret all replicas share, so only the
 * client that got the URI can poll or cancel the query (as Trino's own slugs do), with nothing stored.
 */
export class QueueSlugs {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  slug(id: string): string {
    return `y${createHmac('sha256', this.#secret).update(id).digest('hex').slice(0, 32)}`;
  }

  /** Constant-time comparison. */
  verify(id: string, slug: string): boolean {
    const expected = Buffer.from(this.slug(id));
    const given = Buffer.from(slug);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
