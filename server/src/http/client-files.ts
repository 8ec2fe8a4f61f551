import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Vite puts every file whose name carries a content hash here. */
const HASHED_PREFIX = '/assets/';
/** A hashed file never changes under its name: a year, and no revalidation. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current chunks: revalidated on every load (ETag), never stale. */
export const REVALIDATE = 'no-cache';

/** Files served with a pre-compressed variant (see client/vite/precompress.ts). */
const NEGOTIATED = /\.(js|mjs|css|html|svg|json|webmanifest|txt|xml)$/;

/**
 * Serves the built client from `root` when it has been built: the hashed assets with
 * immutable caching, in the pre-compressed variant the browser accepts (brotli, gzip or
 * none, `Vary: Accept-Encoding`), and index.html for every client route (/room/..., /join/...).
 * A missing asset is a 404, not index.html: a stale tab then reloads (client/src/app/staleBuild.ts)
 * instead of parsing HTML as JavaScript.
 */
export async function registerClientFiles(app: FastifyInstance, root: string): Promise<boolean> {
  const dist = path.resolve(root);
  if (!existsSync(path.join(dist, 'index.html'))) return false;

  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    preCompressed: true,
    // Cache-Control is set per file below; source maps are never in the served folder, and
    // dotfiles (a build's metadata) are not served either.
    cacheControl: false,
    dotfiles: 'ignore',
    index: false,
    setHeaders: (res, filePath) => {
      const urlPath = `/${path.relative(dist, filePath).split(path.sep).join('/')}`;
      res.setHeader('Cache-Control', urlPath.startsWith(HASHED_PREFIX) ? IMMUTABLE : REVALIDATE);
      const served = filePath.replace(/\.(br|gz)$/, '');
      if (NEGOTIATED.test(served)) res.setHeader('Vary', 'Accept-Encoding');
    },
  });

  app.get('/*', (request, reply) => {
    const { pathname } = new URL(request.url, 'http://localhost');
    if (pathname.startsWith('/api/') || pathname.startsWith(HASHED_PREFIX)) {
      return reply.callNotFound();
    }
    return reply.sendFile('index.html');
  });
  return true;
}
