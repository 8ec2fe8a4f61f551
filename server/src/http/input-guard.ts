import type { FastifyInstance } from 'fastify';
import { DomainError } from './domain-error.js';

/**
 * The path of the first string holding a NUL character in a parsed request part, or
 * undefined. Iterative (an explicit stack), so a deeply nested body cannot overflow it.
 */
export function findNul(root: unknown, rootPath: string): string | undefined {
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) return `${path}/${k}`;
        stack.push([v, `${path}/${k}`]);
      }
    }
  }
  return undefined;
}

/**
 * A safety net under the shared schemas (shared/src/text.ts): PostgreSQL refuses NUL in
 * text, so a NUL that a route's own schema let through would end as a 500. Any route's
 * body, query or parameters holding one is answered 400 before it is validated.
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const parts = { body: req.body, querystring: req.query, params: req.params };
    for (const [name, value] of Object.entries(parts)) {
      const path = findNul(value, name);
      if (path !== undefined) {
        throw new DomainError('bad_request', 'Request validation failed', [
          { path, message: 'no control characters' },
        ]);
      }
    }
  });
}
