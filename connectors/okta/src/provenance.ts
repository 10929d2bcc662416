import type { ProvenanceRequest } from '@crosswalk/core';

/** Query parameters that can carry a credential. Okta takes none in a URL; a misbehaving proxy or old client might. */
const SECRET_PARAMETER =
  /^(access_token|token|client_secret|client_assertion|assertion|code|jwt|key|password|secret|sig|signature|api_token)$/i;

/**
 * Path and non-secret query of a URL, decoded for people:
 * `/api/v1/logs?since=2026-03-01T00:00:00.000Z&filter=eventType eq "user.lifecycle.deactivate"`.
 */
export function provenancePath(url: string | URL): string {
  const parsed = new URL(String(url), 'http://okta.invalid');
  const query = [...parsed.searchParams.entries()]
    .filter(([name]) => !SECRET_PARAMETER.test(name))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return decodeURIComponent(parsed.pathname) + (query ? `?${query}` : '');
}

/**
 * Every request the client made, in order, as provenance entries. A collector takes a `mark()` before the requests
 * that produce an item and attaches `since(mark)` to it, so each record lists exactly the requests behind it,
 * including the attempts a rate limit or a 5xx answered before the one that succeeded.
 */
export class RequestRecorder {
  readonly entries: ProvenanceRequest[] = [];

  record(entry: ProvenanceRequest): void {
    this.entries.push(entry);
  }

  mark(): number {
    return this.entries.length;
  }

  since(mark: number): ProvenanceRequest[] {
    return this.entries.slice(mark);
  }

  get count(): number {
    return this.entries.length;
  }
}
