/**
 * The two variables the CLI reads outside the service schema (services/runtime/src/env.ts, which declares every
 * variable; this module avoids loading the runtime for `crosswalk controls`): CROSSWALK_DEBUG, and USER for the
 * "who" of audit entries and manual runs.
 */
export function debugStacks(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.CROSSWALK_DEBUG);
}

/** `cli:<login>`: who ran a manual collection, made an export or changed a key. */
export function cliActor(env: NodeJS.ProcessEnv = process.env): string {
  return `cli:${env.USER || 'unknown'}`;
}
