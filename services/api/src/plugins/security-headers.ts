import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * The console's Content-Security-Policy, on every response: its scripts and styles come from this server only
 * (no inline script, no eval, no third-party origin), nothing frames it, and forms post back here. A page that
 * needs more (the API docs' Swagger UI) states its own policy on its own routes.
 */
export const CONSOLE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

/**
 * Security headers on every response (@fastify/helmet): the CSP above, X-Content-Type-Options: nosniff,
 * Referrer-Policy: no-referrer (an export or evidence URL never leaks to a linked source system), X-Frame-Options:
 * DENY for browsers without frame-ancestors. Strict-Transport-Security only where people reach the API over TLS
 * (the request came over TLS, or CROSSWALK_PUBLIC_URL is https): over plain HTTP it would be ignored at best, and
 * on a loopback demo it would pin the host to https.
 */
export const securityHeadersPlugin = fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      hsts: false,
    });
    const publicTls = app.runtime.env.CROSSWALK_PUBLIC_URL?.startsWith('https:') === true;
    app.addHook('onRequest', async (request, reply) => {
      if (publicTls || request.protocol === 'https') {
        reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      }
    });
  },
  { name: 'crosswalk-security-headers', fastify: '5.x', dependencies: ['crosswalk-runtime'] },
);
