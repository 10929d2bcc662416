import type { FastifyPluginOptions, RawServerDefault } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';

/**
 * A feature plugin: encapsulated (its routes, hooks, decorators and content-type parsers stay its own, under one
 * prefix), named, and declaring the plugins it needs, so registering it without them fails at start-up
 * instead of serving, say, evidence routes without the API-key check in front of them.
 */
export function feature<Options extends FastifyPluginOptions = Record<never, never>>(
  name: string,
  dependencies: string[],
  plugin: FastifyPluginAsyncZod<Options>,
): FastifyPluginAsyncZod<Options> {
  return fp<Options, RawServerDefault, ZodTypeProvider>(plugin, {
    name,
    fastify: '5.x',
    encapsulate: true,
    dependencies,
  }) as FastifyPluginAsyncZod<Options>;
}

/** The plugins a route behind an API key needs. */
export const PROTECTED = ['crosswalk-runtime', 'crosswalk-auth'];
