import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionTokenResponse } from '@samkons/shared';
import {
  clearPatientLogin,
  getIdentifiedSession,
  getPatientLogin,
  savePatientLogin,
  pendingEidInvite,
  rememberEidInvite,
  saveIdentifiedSession,
} from './session';

/** sessionStorage as the browser has it (the unit tests run in Node). */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

const session = (expiresAt: string): SessionTokenResponse => ({
  entry: 'lobby',
  sessionToken: 'session-token',
  expiresAt,
  grants: {
    consultationId: '00000000-0000-4000-8000-000000000002',
    participantId: '00000000-0000-4000-8000-000000000001',
    roomJoin: false,
    canPublish: true,
    canSubscribe: true,
    canPublishSources: ['camera', 'microphone'],
    canAdmit: false,
    canModerate: false,
    canEnd: false,
    canConsent: true,
    canRecordVerbalConsent: false,
  },
  participant: {
    id: '00000000-0000-4000-8000-000000000001',
    consultationId: '00000000-0000-4000-8000-000000000002',
    role: 'patient',
    name: 'Kari Nordmann',
  },
  assuranceLevel: 'high',
});

describe('identified sessions for invite links (patient eID)', () => {
  beforeEach(() => vi.stubGlobal('sessionStorage', memoryStorage()));
  afterEach(() => vi.unstubAllGlobals());

  it('remembers the invite until its session is stored, then keeps the session per link', () => {
    rememberEidInvite('invite-a');
    expect(pendingEidInvite()).toBe('invite-a');
    const s = session('2099-01-01T00:00:00.000Z');
    saveIdentifiedSession('invite-a', s);
    expect(pendingEidInvite()).toBeNull();
    expect(getIdentifiedSession('invite-a')).toEqual(s);
    expect(getIdentifiedSession('invite-b')).toBeNull();
  });

  it('ignores and removes an expired session', () => {
    saveIdentifiedSession('invite-a', session('2026-01-01T10:00:00.000Z'));
    const later = new Date('2026-01-01T10:00:01.000Z');
    expect(getIdentifiedSession('invite-a', later)).toBeNull();
    expect(sessionStorage.getItem('samkons.eid.invite-a')).toBeNull();
  });

  it('ignores what does not parse as a session token response', () => {
    sessionStorage.setItem('samkons.eid.invite-a', '{"sessionToken":1}');
    expect(getIdentifiedSession('invite-a')).toBeNull();
  });
});

describe('the patient entry token', () => {
  beforeEach(() => vi.stubGlobal('sessionStorage', memoryStorage()));
  afterEach(() => vi.unstubAllGlobals());

  it('keeps only the token and its end, until logged out', () => {
    savePatientLogin({
      patientToken: 'patient-token',
      expiresAt: '2099-01-01T00:00:00.000Z',
      // Whatever else the login answer had (the list) is not stored.
      ...{ consultations: [{ title: 'Hjartesvikt' }] },
    });
    expect(sessionStorage.getItem('samkons.patient')).not.toContain('Hjartesvikt');
    expect(getPatientLogin()).toEqual({
      patientToken: 'patient-token',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    clearPatientLogin();
    expect(getPatientLogin()).toBeNull();
  });

  it('ignores and removes an expired token', () => {
    savePatientLogin({ patientToken: 'p', expiresAt: '2026-01-01T10:00:00.000Z' });
    expect(getPatientLogin(new Date('2026-01-01T10:00:00.000Z'))).toBeNull();
    expect(sessionStorage.getItem('samkons.patient')).toBeNull();
  });
});
