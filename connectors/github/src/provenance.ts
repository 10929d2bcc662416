import type { ProvenanceRequest } from '@crosswalk/core';
import type { Octokit, OctokitOptions } from '@octokit/core';

/** Query parameters that can carry a credential. GitHub accepts none of them in a URL today; old clients did. */
const SECRET_PARAMETER =
  /^(access_token|token|client_secret|client_id|code|jwt|key|password|secret|sig|signature)$/i;

/** Path and non-secret query of a URL, e.g. `/orgs/acme/members?role=admin&page=2`. */
export function provenancePath(url: string): string {
  const parsed = new URL(url, 'http://github.invalid');
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

interface ResponseLike {
  status: number;
  url: string;
  headers: Record<string, string | number | undefined>;
}

function requestId(headers: ResponseLike['headers'] | undefined): string | null {
  const id = headers?.['x-github-request-id'];
  return id === undefined ? null : String(id);
}

/**
 * An octokit plugin that records each attempt as it comes back. It is listed before the retry and throttling
 * plugins, so its hook sits inside theirs and sees every attempt they make, not only the last one.
 */
export function provenancePlugin(octokit: Octokit, options: OctokitOptions & { recorder?: RequestRecorder }) {
  const recorder = options.recorder;
  if (!recorder) return {};
  octokit.hook.wrap('request', async (request, endpoint) => {
    const method = String(endpoint.method);
    try {
      const response = (await request(endpoint)) as unknown as ResponseLike;
      recorder.record({
        method,
        path: provenancePath(response.url),
        status: response.status,
        requestId: requestId(response.headers),
      });
      return response as never;
    } catch (error) {
      const failed = error as { status?: number; response?: ResponseLike; request?: { url?: string } };
      // No status means no answer (connection refused, aborted): there is no request id to cite.
      if (typeof failed.status === 'number' && failed.status > 0) {
        recorder.record({
          method,
          path: provenancePath(failed.response?.url || failed.request?.url || String(endpoint.url)),
          status: failed.status,
          requestId: requestId(failed.response?.headers),
        });
      }
      throw error;
    }
  });
  return {};
}
