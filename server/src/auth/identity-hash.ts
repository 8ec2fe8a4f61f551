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
    const a = Buffer.from(this.hash(nationalId));
    const b = Buffer.from(stored);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
