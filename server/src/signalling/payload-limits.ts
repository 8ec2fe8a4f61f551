/** Deeper than any request in the catalogue (RTP parameters nest about 6 levels). */
export const MAX_PAYLOAD_DEPTH = 32;

export type PayloadMeasure =
  | { ok: true; bytes: number }
  | { ok: false; problem: 'too_deep' }
  | { ok: false; problem: 'too_large'; bytes: number };

/**
 * The size a payload has as JSON, measured without recursion (`JSON.stringify` overflows
 * the stack on a deeply nested value) and given up as soon as it is too deep or too large,
 * so a hostile payload costs no more than the limit. Binary parts count their bytes.
 */
export function measurePayload(
  value: unknown,
  maxBytes: number,
  maxDepth = MAX_PAYLOAD_DEPTH,
): PayloadMeasure {
  let bytes = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') bytes += JSON.stringify(v).length;
    else if (typeof v === 'number' || typeof v === 'boolean') bytes += String(v).length;
    else if (v === null || v === undefined) bytes += 4;
    else if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) bytes += v.byteLength;
    else if (typeof v === 'object') {
      if (depth >= maxDepth) return { ok: false, problem: 'too_deep' };
      const entries = Array.isArray(v) ? v.map((x) => ['', x] as const) : Object.entries(v);
      // Brackets and separators, plus each key with its quotes and colon.
      bytes += 2 + Math.max(0, entries.length - 1);
      for (const [k, x] of entries) {
        if (!Array.isArray(v)) bytes += JSON.stringify(k).length + 1;
        stack.push([x, depth + 1]);
      }
    } else bytes += 4; // functions and symbols do not survive JSON
    if (bytes > maxBytes) return { ok: false, problem: 'too_large', bytes };
  }
  return { ok: true, bytes };
}
