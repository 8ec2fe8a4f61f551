/**
 * The short link in a message (`/m/<code>`) leads to that participant's pre-join with a
 * working invite; a cancelled meeting's short link still reaches the pre-join (which then
 * says "cancelled"); codes that name nothing go to the pre-join's "unknown link".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookWorld, buildTestApp, staffLogin, type TestApp } from '../booking/testing.js';
import { outboxRepo } from '../db/outbox-repo.js';
import { inviteIdOf, shortCode } from './short-links.js';

const meta = { clientAddress: '127.0.0.1' };

describe('short links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite');
  });
  afterAll(() => t.close());

  it('round-trips an invite id through its code', () => {
    const id = '0b9e2f6c-3c1a-4d2e-9f00-1234567890ab';
    expect(shortCode(id)).toMatch(/^[\w-]{22}$/);
    expect(inviteIdOf(shortCode(id))).toBe(id);
    expect(inviteIdOf('too-short')).toBeNull();
    expect(inviteIdOf('!'.repeat(22))).toBeNull();
  });

  it('resolves to the personal invite, also after cancelling; unknown codes say so', async () => {
    const staff = {
      specialist: await staffLogin(t, 'specialist'),
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
    const w = await bookWorld(t, staff, new Date(Date.now() + 30 * 60_000));
    const toPatient = (await outboxRepo.list(t.db, w.consultation.id)).find(
      (m) => m.participantId === w.byRole.patient && m.kind === 'invite',
    );
    const link = /https:\/\/samkons\.test(\/m\/[\w-]{22})\n/.exec(toPatient!.body)?.[1];
    expect(link).toBeDefined();
    expect(toPatient!.body.length).toBeLessThan(1200);

    const res = await t.app.inject({ method: 'GET', url: link! });
    expect(res.statusCode).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = /^\/join\/(.+)$/.exec(String(res.headers.location))?.[1];
    expect(token).toBeDefined();
    expect(t.services.auth.verifyInviteToken(token!).inviteId).toBe(inviteIdOf(link!.slice(3)));
    const ex = await t.app.inject({
      method: 'POST',
      url: '/api/invites/exchange',
      payload: { token },
    });
    expect(ex.statusCode).toBe(200);
    expect(ex.json()).toMatchObject({ participant: { id: w.byRole.patient } });

    await t.services.booking.cancel(staff.specialist.principal, w.consultation.id, 'x', meta);
    const after = await t.app.inject({ method: 'GET', url: link! });
    expect(after.statusCode).toBe(302);
    const revoked = /^\/join\/(.+)$/.exec(String(after.headers.location))?.[1];
    // A token for the same (now revoked) invite: it names the meeting but opens nothing.
    expect(t.services.auth.verifyInviteToken(revoked!)).toMatchObject({
      participantId: w.byRole.patient,
      consultationId: w.consultation.id,
    });
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/invites/exchange',
      payload: { token: revoked },
    });
    // Cancelling revoked the link, but the answer names the cancellation ("Møtet er avlyst").
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: { code: 'invalid_state', message: 'The consultation was cancelled' },
    });

    const unknown = await t.app.inject({ method: 'GET', url: '/m/AAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.statusCode).toBe(302);
    expect(unknown.headers.location).toBe('/join/ukjend-lenkje');
  });

  it('leads someone taken off the meeting to the pre-join, which says the link was revoked', async () => {
    const staff = {
      specialist: await staffLogin(t, 'specialist'),
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
    const w = await bookWorld(t, staff, new Date(Date.now() + 30 * 60_000));
    const toKin = (await outboxRepo.list(t.db, w.consultation.id)).find(
      (m) => m.participantId === w.byRole.next_of_kin && m.kind === 'invite',
    );
    const link = /https:\/\/samkons\.test(\/m\/[\w-]{22})\n/.exec(toKin!.body)?.[1];
    expect(link).toBeDefined();
    await t.services.booking.removeParticipant(
      staff.specialist.principal,
      w.consultation.id,
      w.byRole.next_of_kin,
      meta,
    );
    const res = await t.app.inject({ method: 'GET', url: link! });
    expect(res.statusCode).toBe(302);
    const token = /^\/join\/(.+)$/.exec(String(res.headers.location))?.[1];
    expect(token).toBeDefined();
    const state = await t.app.inject({
      method: 'POST',
      url: '/api/invites/state',
      payload: { token },
    });
    expect(state.statusCode).toBe(200);
    expect(state.json()).toMatchObject({ state: 'revoked' });
  });
});
