import type { Config } from '../config.js';

type Directives = Record<string, string[] | null>;

/** `http://a:1` -> `ws://a:1`, `https://a` -> `wss://a`: socket.io's WebSocket to that origin. */
const webSocketOrigin = (origin: string) => origin.replace(/^http/, 'ws');

/**
 * The Content-Security-Policy for the app's pages (helmet): scripts only from this origin
 * (Vite emits no inline script), connections to this origin and the other nodes a
 * `wrong_node` redirect may send the socket to, camera and screen streams as `blob:`/
 * `mediastream:` media, and nothing framing the page. Styles allow inline because React
 * and some components set style attributes.
 */
export function contentSecurityPolicy(config: Pick<Config, 'http' | 'signalling'>): {
  useDefaults: false;
  directives: Directives;
} {
  const nodes = config.signalling.allowedOrigins;
  const https = config.http.publicUrl?.startsWith('https:') ?? false;
  return {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'", 'data:'],
      'media-src': ["'self'", 'blob:', 'mediastream:'],
      // 'self' covers this origin's ws: in CSP 3; other nodes are listed with both schemes.
      'connect-src': ["'self'", ...nodes, ...nodes.map(webSocketOrigin)],
      'worker-src': ["'self'", 'blob:'],
      'manifest-src': ["'self'"],
      'object-src': ["'none'"],
      'frame-src': ["'none'"],
      'frame-ancestors': ["'none'"],
      // Behind TLS only: on plain http (development, tests) it would break every request.
      ...(https ? { 'upgrade-insecure-requests': [] } : {}),
    },
  };
}
