import type { ProvenanceRequest } from '@crosswalk/core';

/** Query parameters that could carry a credential. No source we read takes one in a URL; old clients sent some. */
const SECRET_PARAMETER =
  /^(access_token|token|api_token|apitoken|client_secret|client_id|client_assertion|assertion|code|jwt|key|password|secret|sig|signature|os_password)$/i;

/**
 * Path and non-secret query of a URL, decoded for people: provenance's `path`, e.g.
 * `/api/v1/logs?since=2026-03-01T00:00:00.000Z&filter=eventType eq "user.lifecycle.deactivate"`.
 */
export function provenancePath(url: string | URL): string {
  const parsed = new URL(String(url), 'http://source.invalid');
  const query = [...parsed.searchParams.entries()]
    .filter(([name]) => !SECRET_PARAMETER.test(name))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return safeDecode(parsed.pathname) + (query ? `?${query}` : '');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Every request a connection made, in order, as provenance entries. A collector takes a `mark()` before the
 * requests that produce an item and attaches `since(mark)` to it, so each record lists exactly the requests behind
 * it, including the attempts a rate limit or a 5xx answered before the one that succeeded.
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

  /** How many requests were made so far. */
  get count(): number {
    return this.entries.length;
  }
}
