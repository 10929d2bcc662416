import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '@crosswalk/runtime';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's Prometheus endpoint: `GET /metrics` on CROSSWALK_METRICS_HOST:CROSSWALK_METRICS_PORT, the text
 * exposition format of the runtime's registry (counts and labels only: no secrets, no evidence). A plain node
 * listener: the worker has no HTTP API to hang it on, and a scrape is one route.
 */
export async function startMetricsServer(
  runtime: Runtime,
  port: number,
  host: string,
): Promise<MetricsServer> {
  const { registry } = runtime.metrics;
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => {
        runtime.logger.warn({ error: (error as Error).message }, 'metrics not collected');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics not collected\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`;
  runtime.logger.info({ url }, 'metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
