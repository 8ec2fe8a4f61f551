import { useCallback, useSyncExternalStore } from 'react';

export interface DisplayPrefs {
  largeText: boolean;
  highContrast: boolean;
}

export const DISPLAY_STORAGE_KEY = 'samkons.display';
const listeners = new Set<() => void>();
let current: DisplayPrefs = load();

function load(): DisplayPrefs {
  try {
    const raw: unknown = JSON.parse(globalThis.localStorage?.getItem(DISPLAY_STORAGE_KEY) ?? '{}');
    const o = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<string, unknown>>;
    return { largeText: o.largeText === true, highContrast: o.highContrast === true };
  } catch {
    return { largeText: false, highContrast: false };
  }
}

/** Sets the attributes the CSS variables key on; call before the first render to avoid a flash. */
export function applyDisplayPrefs(prefs: DisplayPrefs = current): void {
  const root = document.documentElement;
  if (prefs.largeText) root.dataset.text = 'large';
  else delete root.dataset.text;
  if (prefs.highContrast) root.dataset.contrast = 'high';
  else delete root.dataset.contrast;
}

function update(next: DisplayPrefs): void {
  current = next;
  try {
    localStorage.setItem(DISPLAY_STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Not persisted; still applied for this page.
  }
  applyDisplayPrefs(next);
  listeners.forEach((l) => l());
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useDisplayPrefs() {
  const prefs = useSyncExternalStore(subscribe, () => current);
  const toggle = useCallback(
    (key: keyof DisplayPrefs) => update({ ...current, [key]: !current[key] }),
    [],
  );
  return { prefs, toggle };
}
