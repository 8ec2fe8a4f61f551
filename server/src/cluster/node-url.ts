import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Config } from '../config.js';

/**
 * The URL other nodes send clients to: PUBLIC_URL when set, else http://host:port of this
 * listener (a wildcard host is useless to a client, so the machine's name stands in).
 */
export function nodeUrl(config: Pick<Config, 'http'>, server: Server): string {
  if (config.http.publicUrl) return config.http.publicUrl.replace(/\/$/, '');
  const address = server.address() as AddressInfo | null;
  const port = address?.port ?? config.http.port;
  const host = ['0.0.0.0', '::', ''].includes(config.http.host) ? os.hostname() : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
