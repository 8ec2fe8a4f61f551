import { z } from 'zod';

/**
 * Text people type, as every schema takes it. Control characters never belong in a name,
 * title or reason: NUL makes PostgreSQL refuse the whole statement, and the others hide
 * or garble what staff and the audit log see. Build each field from these, e.g.
 * `lineText.trim().min(1).max(200)`, or use `plainLine(max)` / `plainText(max)`.
 */

/** C0 controls (tab and line breaks included), DEL and C1 controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
/** The same, but tab, line feed and carriage return are allowed. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

export const hasControlCharacters = (s: string, allowLineBreaks = false): boolean =>
  (allowLineBreaks ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(s);

/** One line, no control characters: names, titles, organisations, usernames, tokens. */
export const lineText = z
  .string()
  .refine((s) => !hasControlCharacters(s), 'no control characters or line breaks');

/** Several lines allowed (tab and line breaks), no other controls: reasons, notes, chat. */
export const multilineText = z
  .string()
  .refine((s) => !hasControlCharacters(s, true), 'no control characters');

/** One line of text (a title, a name): trimmed, not empty, at most `max` characters. */
export const plainLine = (max: number) => lineText.trim().min(1).max(max);

/** Text of several lines (a note, a story): trimmed, at most `max` characters. */
export const plainText = (max: number) => multilineText.trim().max(max);
