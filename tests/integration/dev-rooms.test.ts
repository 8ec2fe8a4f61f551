/**
 * Development rooms (SIGNALLING_DEV_ROOMS=true) beside the domain: a room by name is not a
 * booked consultation, so what belongs to a consultation answers as empty, never `internal`
 * (the call page asks for the plan on every join).
 */
import { describe, expect, it } from 'vitest';
import { useLiveServer } from '../support/live-server.js';
import { ackData, joinRequest, request } from '../support/signalling-client.js';

const { sockets } = useLiveServer({ env: { SIGNALLING_DEV_ROOMS: 'true' } });

describe('a development room on a server with the domain', () => {
  it('has an empty plan, and no one in it may write one', async () => {
    const socket = await sockets.connect({ room: 'dev-room-plan', displayName: 'Utviklar' });
    expect(await joinRequest(socket)).toMatchObject({ ok: true, data: { status: 'admitted' } });
    expect(ackData(await request(socket, 'planGet', {}))).toEqual({ items: [] });
    const write = await request(socket, 'planAdd', {
      what: 'Noko',
      owner: { kind: 'patient' },
      dueDate: null,
    });
    expect(write).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
