import type { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';

/**
 * Where a test service can come from when its environment variables are unset: a container started by
 * testcontainers, if a Docker (or compatible) engine is reachable. testcontainers is imported only here,
 * so machines that configure the services by env (CI, Ceph RGW) never load it.
 */
export async function dockerAvailable(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Starts a container that lives until the test process exits (testcontainers' reaper removes it). */
export async function startContainer(
  image: string,
  port: number,
  configure: (container: GenericContainer, wait: typeof Wait) => GenericContainer,
): Promise<StartedTestContainer> {
  const tc = await import('testcontainers');
  return configure(new tc.GenericContainer(image).withExposedPorts(port), tc.Wait).start();
}

/**
 * Turns "no service" into a loud failure under CI: a suite that skips there would pass while proving nothing.
 */
export function orFailInCi<T>(value: T | undefined, what: string): T | undefined {
  if (value === undefined && process.env['CI'] === 'true') {
    throw new Error(`${what} not configured: run scripts/services/start.sh and export its variables`);
  }
  return value;
}
