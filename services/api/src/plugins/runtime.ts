import type { Runtime } from '@crosswalk/runtime';
import fp from 'fastify-plugin';

/** Decorates the root with the shared runtime, so every feature plugin reaches the same queues and locker. */
export const runtimePlugin = fp<{ runtime: Runtime }>(
  async (app, { runtime }) => {
    app.decorate('runtime', runtime);
  },
  { name: 'crosswalk-runtime', fastify: '5.x' },
);
