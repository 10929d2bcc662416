import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrosswalkError } from '@crosswalk/core';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { publicError } from '../errors.js';

/**
 * Where the console's built front-end is (`services/console/dist`, made by `pnpm --filter @crosswalk/console
 * build`): one answer for `crosswalk serve`, the demo and the tests, resolved from this file, so it does not
 * depend on the directory a process was started in.
 */
export function consoleDistDir(): string {
  return fileURLToPath(new URL('../../../console/dist', import.meta.url));
}

const NOT_BUILT =
  'the console is not built: run `pnpm --filter @crosswalk/console build` (it writes services/console/dist), then restart the API';

/**
 * A path the client-side router owns (`/console/controls/CHG-01`) rather than a file (`/console/assets/x.js`): its
 * last segment does not end in a built file's extension. Those get index.html; a missing file stays a 404, so a stale script URL never
 * answers with HTML.
 */
// What the build emits (scripts, styles, images, fonts, source maps). Only such a name is a file: the page's own
// paths carry dotted ids (evidence `github.pull_request.approval~...`, controls `A.5.15`) and are routes.
const FILE_NAME = /\.(?:js|mjs|css|map|svg|png|jpe?g|gif|webp|ico|woff2?|ttf|txt|json|webmanifest|html)$/i;

function isClientRoute(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !FILE_NAME.test(last);
}

function notFound(request: FastifyRequest, reply: FastifyReply, message: string): void {
  const error = new CrosswalkError('CW_NOT_FOUND', message, { where: 'url' });
  reply.status(404).send({ error: publicError(error, request.id) });
}

/** Hashed bundle files never change under their name; index.html names the current ones, so it is always checked. */
function cacheHeaders(reply: FastifyReply, path: string): void {
  const hashed = /[\\/]assets[\\/]/.test(path);
  reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
}

/**
 * The console at `/console/` (and `/` sends browsers there), served by the API itself: no second server to run.
 * Static files from the built dist (@fastify/static); any other path under /console/ that names no file gets
 * index.html, so the page's own router handles it on a reload or a pasted link. Without a built dist every
 * /console/ path answers 404 saying how to build it. The pages hold no data: everything they show comes from /v1
 * with the session cookie, under the same role and scope checks as any API call.
 */
export const consolePlugin = fp<{ dir?: string }>(
  async (app, options) => {
    const dir = options.dir ?? consoleDistDir();
    const built = existsSync(join(dir, 'index.html'));

    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
    app.get('/console', { schema: { hide: true } }, async (_request, reply) =>
      reply.redirect('/console/', 302),
    );

    await app.register(
      async (scope) => {
        if (!built) {
          scope.get('/*', { schema: { hide: true } }, async (request, reply) =>
            notFound(request, reply, NOT_BUILT),
          );
          return;
        }
        await scope.register(fastifyStatic, {
          root: dir,
          prefix: '/',
          index: ['index.html'],
          dotfiles: 'deny',
          cacheControl: false,
          setHeaders: cacheHeaders,
          schemaHide: true,
        });
        scope.setNotFoundHandler(async (request, reply) => {
          if ((request.method === 'GET' || request.method === 'HEAD') && isClientRoute(request.url)) {
            reply.header('cache-control', 'no-cache');
            return reply.sendFile('index.html');
          }
          notFound(request, reply, `no console file ${(request.url.split('?')[0] ?? '').slice(0, 200)}`);
        });
      },
      { prefix: '/console' },
    );
  },
  { name: 'crosswalk-console', fastify: '5.x' },
);
