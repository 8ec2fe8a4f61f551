import { describe, expect, it } from 'vitest';
import { NationalId, isNationalId } from './national-id.js';

describe('national identity numbers', () => {
  // Control digits computed independently; the fourth is a synthetic test number (month + 80).
  const valid = ['15058710021', '01015010033', '31039910007', '15808710037', '45119010024'];

  it('accepts numbers whose two control digits match', () => {
    for (const n of valid) expect(isNationalId(n), n).toBe(true);
  });

  it('refuses a changed digit, a wrong length and non-digits', () => {
    for (const n of valid) {
      const last = Number(n[10]);
      expect(isNationalId(n.slice(0, 10) + ((last + 1) % 10))).toBe(false);
      const ninth = Number(n[9]);
      expect(isNationalId(n.slice(0, 9) + ((ninth + 1) % 10) + n[10])).toBe(false);
    }
    expect(isNationalId('1505871002')).toBe(false);
    expect(isNationalId('150587100211')).toBe(false);
    expect(isNationalId('1505871002a')).toBe(false);
  });

  it('parses with spaces and yields the 11 digits', () => {
    expect(NationalId.parse('150587 10021')).toBe('15058710021');
    expect(NationalId.safeParse('150587 10022').success).toBe(false);
  });
});
