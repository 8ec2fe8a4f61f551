import { describe, expect, it } from 'vitest';
import { RequestError } from './signalling-client.js';

describe('RequestError', () => {
  it('calls busy, slow or raced answers transient, and the rest final', () => {
    for (const code of ['timeout', 'internal', 'unavailable', 'conflict', 'rate_limited']) {
      expect(new RequestError(code, code).transient).toBe(true);
    }
    for (const code of ['bad_request', 'forbidden', 'not_found', 'invalid_state', 'wrong_node']) {
      expect(new RequestError(code, code).transient).toBe(false);
    }
  });
});
