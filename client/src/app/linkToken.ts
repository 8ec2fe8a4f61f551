/**
 * The token a link carries in its fragment (`…#t=<token>`: the browser never sends the
 * fragment to the server), for a page opened in a tab of its own. Kept under `storageKey` for
 * reloads of this tab, and taken out of the address bar.
 */
export function tokenFromLink(storageKey: string): string | undefined {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('t');
  try {
    if (fromLink) {
      sessionStorage.setItem(storageKey, fromLink);
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    return fromLink ?? sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    return fromLink ?? undefined;
  }
}
