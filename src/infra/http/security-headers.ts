import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Helmet's security headers on every response. A JSON API: nothing of ours runs in a browser
 * except the Swagger UI page (its own scripts from /docs, inline styles), so the content
 * security policy allows exactly that.
 *
 * Helmet's middleware is built once, here, and applied by one hook: the @fastify/helmet plugin
 * built it anew on every request (parsing the policy each time) behind two hooks, one of them
 * async, for per-route options and CSP nonces this API does not use.
 */
export function addSecurityHeaders(fastify: FastifyInstance): void {
  const applyHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    applyHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}
