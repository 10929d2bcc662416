import { CrosswalkError } from './errors.js';

/**
 * The rule for network failures, which every connector's HTTP client follows (connectors/github client.ts,
 * connectors/okta transport.ts, connectors/jira client.ts; a shared connector client takes it over from them):
 * a host name that does not resolve (getaddrinfo ENOTFOUND: the name does not exist, a typo in the configured
 * URL, or no DNS on this machine) is not retried, since retrying for a minute only delays the same answer: the
 * request fails at once with CW_SOURCE_UNREACHABLE naming the host. Every other network failure (refused,
 * reset, timed out, EAI_AGAIN: the resolver did not answer in time) stays retried with backoff.
 */
export function unresolvedHost(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const { code, hostname } = current as NodeJS.ErrnoException & { hostname?: unknown };
    if (code === 'ENOTFOUND') {
      if (typeof hostname === 'string' && hostname) return hostname;
      return /ENOTFOUND\s+(\S+)/.exec(current.message)?.[1] ?? 'the configured host';
    }
    current = current.cause;
  }
  return undefined;
}

/** The error for a source whose host name does not resolve: names the source and the host, never a secret. */
export function sourceUnreachable(source: string, host: string, where?: string): CrosswalkError {
  return new CrosswalkError(
    'CW_SOURCE_UNREACHABLE',
    `${source} is unreachable: the host name ${host} does not resolve (check the configured URL and this machine's DNS)`,
    { where },
  );
}
