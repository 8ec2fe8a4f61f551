import { z } from 'zod';

const WEIGHTS_1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const WEIGHTS_2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function controlDigit(digits: number[], weights: number[]): number {
  const sum = weights.reduce((acc, w, i) => acc + w * digits[i]!, 0);
  const k = 11 - (sum % 11);
  return k === 11 ? 0 : k;
}

/**
 * A Norwegian national identity number: 11 digits whose two modulus-11 control digits
 * match. The control digits are the same for fødselsnummer, D-numbers, H-numbers and the
 * synthetic test numbers (Tenor) ID-porten's test environment uses, so this accepts all of
 * them; the date part is not checked because the variants shift it.
 */
export function isNationalId(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  const d = [...value].map(Number);
  const k1 = controlDigit(d, WEIGHTS_1);
  if (k1 === 10 || k1 !== d[9]) return false;
  const k2 = controlDigit(d, WEIGHTS_2);
  return k2 !== 10 && k2 === d[10];
}

/** Accepts "010203 12345" and "01020312345"; stores the 11 digits. */
export const NationalId = z
  .string()
  .transform((s) => s.replace(/\s/g, ''))
  .refine(isNationalId, 'not a valid national identity number (11 digits, control digits)');
