/**
 * A function, with its arguments, as a script to run in a page (Playwright's
 * `addInitScript` and `evaluate`, Puppeteer's `evaluateOnNewDocument`). A string, because a
 * transpiler that keeps function names (tsx, which runs the benches) wraps the inner
 * functions in a helper, `__name`, that does not exist in the page: it is defined here as a
 * no-op. Vitest's transform does not, so a test passing the function itself would pass where
 * a bench using the same helper fails.
 */
/** What crosses into the page: written out with `JSON.stringify`, so JSON values only. */
export type PageScriptArg =
  string | number | boolean | null | PageScriptArg[] | { [key: string]: PageScriptArg };

export function pageScript<A extends PageScriptArg[]>(
  fn: (...args: A) => void,
  ...args: A
): string {
  const list = args.map((a) => JSON.stringify(a)).join(', ');
  return `(() => { const __name = (f) => f; (${fn.toString()})(${list}); })();`;
}
