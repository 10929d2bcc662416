import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the loopback source answers: status, headers, JSON body; `hang` never answers. */
export interface Answer {
  status?: number;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  hang?: boolean;
}

export interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A source on loopback that answers from a function of the request, and remembers what it was asked. */
export async function loopback(answer: (request: Seen, index: number) => Answer) {
  const seen: Seen[] = [];
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const entry = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      authorization: request.headers.authorization,
      body,
    };
    seen.push(entry);
    const reply = answer(entry, seen.length - 1);
    if (reply.hang) return;
    const headers = Object.entries(reply.headers ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    response.writeHead(reply.status ?? 200, {
      'content-type': 'application/json',
      ...Object.fromEntries(headers),
    });
    response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
