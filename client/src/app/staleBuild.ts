const RELOADED_AT_KEY = 'samkons.staleBuildReloadAt';
/** One reload per this long at most: a chunk that stays missing must not loop. */
const MIN_RELOAD_INTERVAL_MS = 30_000;

/**
 * Pages are chunks with hashed names. A tab opened before a new release asks for chunks
 * the server no longer has: reload once to get the new index.html and its chunks, instead
 * of failing the page. (Vite emits `vite:preloadError` when a dynamic import fails.)
 */
export function reloadOnStaleBuild(): void {
  window.addEventListener('vite:preloadError', (event) => {
    try {
      const last = Number(sessionStorage.getItem(RELOADED_AT_KEY) ?? 0);
      if (Date.now() - last < MIN_RELOAD_INTERVAL_MS) return; // the route's error page shows
      sessionStorage.setItem(RELOADED_AT_KEY, String(Date.now()));
    } catch {
      return; // no storage: no loop guard, so no automatic reload
    }
    event.preventDefault();
    window.location.reload();
  });
}
