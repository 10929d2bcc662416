/**
 * Undoing what a test started, in one place for the worker's real-process tests. Kept out of helpers.ts, which the
 * benchmarks import outside vitest.
 */
import { afterEach } from 'vitest';
import { killAll } from './helpers.js';

export type Step = () => Promise<unknown>;

/**
 * Registers an afterEach that runs the steps deferred during the test, last deferred first (workers before the
 * connections they use, connections before the Redis they talk to: a client closed after its Redis died keeps
 * reporting refused connections), then kills every child still running. A failing step does not stop the rest.
 */
export function cleanupAfterEach(): (...steps: Step[]) => void {
  let steps: Step[] = [];
  afterEach(async () => {
    const due = steps.reverse();
    steps = [];
    for (const step of due) await step().catch(() => undefined);
    await killAll();
  });
  return (...more) => {
    steps.push(...more);
  };
}
