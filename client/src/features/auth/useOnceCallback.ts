import { useEffect, useRef, useState } from 'react';

/**
 * For the pages an identity provider sends the browser back to: runs the first render's
 * `finish` once and returns its failure (undefined while it runs or when it succeeded).
 * The provider's code is single use, and StrictMode runs effects twice. `null` runs nothing.
 */
export function useOnceCallback(finish: (() => Promise<void>) | null): unknown {
  const first = useRef(finish).current;
  const started = useRef(false);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (started.current || !first) return;
    started.current = true;
    first().catch((e: unknown) => setError(e));
  }, [first]);
  return error;
}
