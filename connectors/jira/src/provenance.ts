import type { ProvenanceRequest } from '@crosswalk/core';

/** Query parameters that could carry a credential. Jira takes none in a URL; old clients sent some. */
const SECRET_PARAMETER =
  /^(access_token|token|api_token|apitoken|client_secret|code|jwt|key|password|secret|sig|signature|os_password)$/i;

/** Path and non-secret query of a URL, e.g. `/rest/api/3/issue/IT-7/changelog?startAt=100&maxResults=100`. */
export function provenancePath(url: string): string {
  const parsed = new URL(url, 'http://jira.invalid');
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETER.test(name)) parsed.searchParams.delete(name);
  }
  const query = parsed.searchParams.toString();
  return decodeURIComponent(parsed.pathname) + (query ? `?${decodeURIComponent(query)}` : '');
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
}
