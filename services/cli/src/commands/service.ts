import type { Command } from 'commander';
import type { Output } from '../output.js';

/** Resolves when SIGINT or SIGTERM arrives, so a process can shut down in order. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}

export function registerService(program: Command, output: Output): void {
  program
    .command('serve')
    .description(
      'Run the HTTP API (connectors, webhooks, evidence, health, metrics, OpenAPI at /docs) and the console at /console/',
    )
    .action(async () => {
      const { applyConfigFile, createRuntime, parseServiceEnv } = await import('@crosswalk/runtime');
      const { startServer } = await import('@crosswalk/api');
      const runtime = createRuntime(parseServiceEnv());
      if (runtime.env.CROSSWALK_CONFIG_FILE)
        await applyConfigFile(runtime, runtime.env.CROSSWALK_CONFIG_FILE);
      const server = await startServer(runtime);
      runtime.logger.info({ url: server.url, locker: runtime.locker.location }, 'api listening');
      const signal = await untilSignal();
      runtime.logger.info({ signal }, 'stopping: finishing requests in flight');
      await server.close();
      await runtime.close();
      output.err('api stopped');
    });

  program
    .command('worker')
    .description("Take collect and webhook jobs from Redis; declares every connector's schedules at start")
    .option('--concurrency <n>', 'collect jobs at once in this process', (v) => Number(v))
    .action(async (options: { concurrency?: number }) => {
      const { applyConfigFile, createRuntime, parseServiceEnv } = await import('@crosswalk/runtime');
      const { startWorker } = await import('@crosswalk/worker');
      const runtime = createRuntime(parseServiceEnv());
      if (runtime.env.CROSSWALK_CONFIG_FILE)
        await applyConfigFile(runtime, runtime.env.CROSSWALK_CONFIG_FILE);
      const worker = await startWorker(runtime, {
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        stalledIntervalMs: runtime.env.CROSSWALK_STALLED_INTERVAL_MS,
      });
      runtime.logger.info({ locker: runtime.locker.location }, 'worker started');
      const signal = await untilSignal();
      runtime.logger.info({ signal }, 'stopping: finishing current jobs');
      await worker.close();
      await runtime.close();
      output.err('worker stopped');
    });
}
