import { useCallback, useEffect, useRef, useState } from 'react';
import type { Endpoints } from '../../api/endpoints';
import { isRelayCandidate, median, turnServersOnly, type IceServerLike } from './checks';

export type CheckState<T = true> =
  | { status: 'checking' }
  | { status: 'ok'; value: T }
  | { status: 'failed' }
  | { status: 'not_configured' };

export interface NetworkResult {
  server: CheckState;
  rtt: CheckState<number>;
  turn: CheckState;
}

const PINGS = 5;
const TURN_TIMEOUT_MS = 6000;

/** Gathers ICE with only the TURN servers and a relay-only policy: any relay candidate = reachable. */
export async function turnReachable(
  servers: IceServerLike[],
  timeoutMs = TURN_TIMEOUT_MS,
): Promise<boolean> {
  const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
  try {
    pc.createDataChannel('turn-check');
    const found = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      pc.onicecandidate = (e) => {
        if (
          e.candidate &&
          (e.candidate.type === 'relay' || isRelayCandidate(e.candidate.candidate))
        ) {
          clearTimeout(timer);
          resolve(true);
        } else if (!e.candidate) {
          clearTimeout(timer);
          resolve(false);
        }
      };
    });
    await pc.setLocalDescription(await pc.createOffer());
    return await found;
  } finally {
    pc.close();
  }
}

/**
 * Server reachable, round trip (median of a few small requests) and TURN reachable when
 * the server hands out TURN servers for this session.
 */
export function useNetworkCheck(api: Endpoints, sessionToken: string | null) {
  const [result, setResult] = useState<NetworkResult>({
    server: { status: 'checking' },
    rtt: { status: 'checking' },
    turn: { status: 'checking' },
  });
  const run = useRef(0);

  const check = useCallback(async () => {
    const id = ++run.current;
    const update = (patch: Partial<NetworkResult>) => {
      if (id === run.current) setResult((r) => ({ ...r, ...patch }));
    };
    update({
      server: { status: 'checking' },
      rtt: { status: 'checking' },
      turn: { status: 'checking' },
    });

    const times: number[] = [];
    try {
      for (let i = 0; i < PINGS; i++) {
        const t0 = performance.now();
        await api.ping();
        times.push(performance.now() - t0);
      }
      update({ server: { status: 'ok', value: true } });
      // The first request may include connection setup; the median ignores it.
      update({ rtt: { status: 'ok', value: Math.round(median(times)) } });
    } catch {
      update({ server: { status: 'failed' }, rtt: { status: 'failed' } });
    }

    try {
      const servers = turnServersOnly(sessionToken ? await api.iceServers(sessionToken) : []);
      if (servers.length === 0) return update({ turn: { status: 'not_configured' } });
      update({
        turn: (await turnReachable(servers)) ? { status: 'ok', value: true } : { status: 'failed' },
      });
    } catch {
      update({ turn: { status: 'failed' } });
    }
  }, [api, sessionToken]);

  useEffect(() => {
    void check();
  }, [check]);

  return { result, recheck: () => void check() };
}
