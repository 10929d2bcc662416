import type { Runtime } from '@crosswalk/runtime';
import { type App, type BuildAppOptions, buildApp } from './app.js';

export interface RunningServer {
  app: App;
  /** `http://host:port` it listens on. */
  url: string;
  /** Stops taking requests, finishes the ones in flight, closes. The runtime is the caller's to close after. */
  close(): Promise<void>;
}

/**
 * Builds the app and listens on the environment's HOST and PORT (`crosswalk serve`). On SIGTERM the caller
 * runs `close()`, then `runtime.close()`.
 *
 * @example
 * const runtime = createRuntime(parseServiceEnv());
 * const server = await startServer(runtime);
 * process.once('SIGTERM', async () => { await server.close(); await runtime.close(); });
 */
export async function startServer(
  runtime: Runtime,
  options: BuildAppOptions & { host?: string; port?: number } = {},
): Promise<RunningServer> {
  const app = buildApp(runtime, options);
  const url = await app.listen({
    host: options.host ?? runtime.env.HOST,
    port: options.port ?? runtime.env.PORT,
  });
  return { app, url, close: () => app.close() };
}
