// The slug in a queued query's URIs: a MAC of its id under a secret every replica shares.
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The slug of a queued query's URIs: a MAC of its id under a secret all replicas share, so only the
 * client that got the URI can poll or cancel the query (as Trino's own slugs do), with nothing stored.
 */
export class QueueSlugs {
  /** The first signs; all verify (a replica that signed before it learnt the shared secret stays valid). */
  #secrets: Buffer[];

  constructor(secret: Buffer) {
    this.#secrets = [secret];
  }

  /** The secret every replica shares, once known: it signs from now on. */
  adopt(secret: Buffer): void {
    if (this.#secrets[0]?.equals(secret)) return;
    this.#secrets = [secret, ...this.#secrets.filter((known) => !known.equals(secret))];
  }

  slug(id: string): string {
    return mac(this.#secrets[0] as Buffer, id);
  }

  /** Constant-time comparison against each secret. */
  verify(id: string, slug: string): boolean {
    const given = Buffer.from(slug);
    let ok = false;
    for (const secret of this.#secrets) {
      const expected = Buffer.from(mac(secret, id));
      if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
    }
    return ok;
  }
}

function mac(secret: Buffer, id: string): string {
  return `y${createHmac('sha256', secret).update(id).digest('hex').slice(0, 32)}`;
}
