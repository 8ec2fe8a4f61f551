import { z } from 'zod';

/**
 * Control characters (except tab and newline) never belong in what people type: PostgreSQL
 * refuses NUL outright, and the others only hide text. Schemas of free text use these.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** One line of text (a title, a name): trimmed, no control characters, no line breaks. */
export const plainLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL.test(s) && !s.includes('\n'), 'no control characters or line breaks');

/** Text of several lines (a note, a story): trimmed, no control characters but newline and tab. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !CONTROL.test(s), 'no control characters');
