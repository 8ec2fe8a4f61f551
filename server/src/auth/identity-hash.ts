import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keyed hash of a national identity number. A plain hash would not protect it: there are
 * only about 10^8 valid numbers per century, so a table of all of them is cheap. Under a
 * secret key (IDENTITY_HASH_SECRET, kept outside the database) a stolen database does not
 * reveal who the patients are.
 */
export class IdentityHasher {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(secret, 'utf8');
  }

  hash(nationalId: string): string {
    return createHmac('sha256', this.#key)
      .update(`samkons:national-id:v1:${nationalId}`)
      .digest('base64url');
  }

  matches(nationalId: string, stored: string): boolean {
    return sameIdentityHash(this.hash(nationalId), stored);
  }
}

/** Compares two identity hashes in constant time (they decide who is let in). */
export function sameIdentityHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
