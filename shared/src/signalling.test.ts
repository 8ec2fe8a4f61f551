import { describe, expect, it } from 'vitest';
import {
  DevHandshakeAuth,
  notifications,
  requestNames,
  requests,
  ackSchema,
  JoinResponse,
} from './signalling.js';

const dtls = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };

describe('signalling schemas', () => {
  it('has a request and a response schema for every request name', () => {
    expect(requestNames).toContain('join');
    for (const name of requestNames) {
      expect(requests[name].req.safeParse).toBeTypeOf('function');
      expect(requests[name].res.safeParse).toBeTypeOf('function');
    }
  });

  it('accepts well-formed requests', () => {
    expect(requests.join.req.safeParse({ rtpCapabilities: { codecs: [] } }).success).toBe(true);
    expect(
      requests.connectTransport.req.safeParse({ transportId: 't', dtlsParameters: dtls }).success,
    ).toBe(true);
    expect(
      requests.produce.req.safeParse({
        transportId: 't',
        kind: 'video',
        source: 'camera',
        rtpParameters: {
          mid: '0',
          codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {} }],
          encodings: [{ rid: 'r0' }, { rid: 'r1' }, { rid: 'r2' }],
        },
      }).success,
    ).toBe(true);
  });

  it('rejects malformed requests', () => {
    expect(requests.join.req.safeParse({ sneaky: 1 }).success).toBe(false);
    expect(requests.join.req.safeParse(null).success).toBe(false);
    expect(requests.connectTransport.req.safeParse({ transportId: 't' }).success).toBe(false);
    expect(
      requests.connectTransport.req.safeParse({
        transportId: 't',
        dtlsParameters: { fingerprints: [] },
      }).success,
    ).toBe(false);
    expect(requests.resumeConsumer.req.safeParse({ consumerId: '' }).success).toBe(false);
    expect(requests.resumeConsumer.req.safeParse({ consumerId: 'x'.repeat(129) }).success).toBe(
      false,
    );
    expect(
      requests.setConsumerPreferredLayers.req.safeParse({ consumerId: 'c', spatialLayer: 3 })
        .success,
    ).toBe(false);
    expect(
      requests.produce.req.safeParse({
        transportId: 't',
        kind: 'video',
        source: 'hologram',
        rtpParameters: { codecs: [] },
      }).success,
    ).toBe(false);
  });

  it('describes acks as ok with data or an error with a known code', () => {
    const ack = ackSchema(requests.produce.res);
    expect(ack.safeParse({ ok: true, data: { producerId: 'p' } }).success).toBe(true);
    expect(ack.safeParse({ ok: false, error: { code: 'not_found', message: 'x' } }).success).toBe(
      true,
    );
    expect(ack.safeParse({ ok: false, error: { code: 'teapot', message: 'x' } }).success).toBe(
      false,
    );
    expect(ack.safeParse({ ok: true }).success).toBe(false);
  });

  it('accepts only an http(s) redirect URL on an error', () => {
    const ack = ackSchema(requests.join.res);
    const refused = (redirectUrl: string) => ({
      ok: false,
      error: { code: 'invalid_state', message: 'x', reason: 'wrong_node', redirectUrl },
    });
    expect(ack.safeParse(refused('https://node-2.example.no')).success).toBe(true);
    expect(ack.safeParse(refused('http://127.0.0.1:3001')).success).toBe(true);
    for (const bad of ['javascript:alert(1)', 'ftp://node-2', 'node-2:3000', ''])
      expect(ack.safeParse(refused(bad)).success, bad).toBe(false);
  });

  it('lets a join response omit the transports a grant does not allow', () => {
    const waiting = {
      status: 'waiting',
      lobbyEntry: {
        participantId: 'p1',
        displayName: 'Kari',
        role: 'patient',
        organisation: null,
        waitingForConsent: false,
        since: new Date().toISOString(),
      },
      transports: { peerId: 'p1' },
    };
    expect(JoinResponse.safeParse(waiting).success).toBe(true);
    // Admitted needs the media start; waiting has none.
    expect(JoinResponse.safeParse({ ...waiting, status: 'admitted' }).success).toBe(false);
  });

  it('requires the device capabilities with join, and nothing else', () => {
    expect(requests.join.req.safeParse({ rtpCapabilities: { codecs: [] } }).success).toBe(true);
    expect(requests.join.req.safeParse({}).success).toBe(false);
    expect(requests.join.req.safeParse({ rtpCapabilities: { codecs: [] }, extra: 1 }).success).toBe(
      false,
    );
  });

  it('validates notifications', () => {
    expect(notifications.peerLeft.safeParse({ peerId: 'p' }).success).toBe(true);
    expect(notifications.roomClosed.safeParse({ reason: 'worker_died' }).success).toBe(true);
    expect(notifications.roomClosed.safeParse({ reason: 'bored' }).success).toBe(false);
    expect(notifications.activeSpeaker.safeParse({ peerId: null }).success).toBe(true);
  });

  it('accepts only safe room names and a display name in the dev handshake', () => {
    expect(DevHandshakeAuth.safeParse({ room: 'demo-1', displayName: 'Kari' }).success).toBe(true);
    expect(DevHandshakeAuth.safeParse({ room: '../x', displayName: 'Kari' }).success).toBe(false);
    expect(DevHandshakeAuth.safeParse({ room: 'demo', displayName: '   ' }).success).toBe(false);
  });
});
