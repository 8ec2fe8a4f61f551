import { DEFAULT_RECOVERY, type RecoveryPolicy } from './transport-recovery.js';

declare global {
  interface Window {
    /**
     * Test builds only: recovery timings over the defaults, set before the page loads (an
     * init script), so an e2e test sees a backoff's steps without waiting out real minutes.
     */
    __samkonsRecovery?: Partial<RecoveryPolicy>;
  }
}

/** Test hooks are on: development builds, or a build with VITE_SAMKONS_TEST_HOOKS=true (e2e). */
export const testHooks = import.meta.env.DEV || import.meta.env.VITE_SAMKONS_TEST_HOOKS === 'true';

/** The recovery timings a test set (`window.__samkonsRecovery`); undefined otherwise. */
export function testRecoveryPolicy(): RecoveryPolicy | undefined {
  if (!testHooks || typeof window === 'undefined' || !window.__samkonsRecovery) return undefined;
  return { ...DEFAULT_RECOVERY, ...window.__samkonsRecovery };
}
