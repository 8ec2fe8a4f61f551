/** The metrics token every test server gets (tests/support/server.ts, server-process.ts). */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

export interface HealthDetail {
  status: string;
  rooms: number;
  peers: number;
  workers: { index: number; pid: number; alive: boolean; rooms: number; rssKb?: number }[];
}

/** Worker pids, rooms and peers: /api/health/detail, behind the metrics token. */
export async function healthDetail(url: string): Promise<HealthDetail> {
  const res = await fetch(`${url}/api/health/detail`, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  if (res.status !== 200) throw new Error(`/api/health/detail answered ${res.status}`);
  return (await res.json()) as HealthDetail;
}
