import { CrosswalkError } from '@crosswalk/core';
import type { HttpAnswer, HttpRequest } from './http.js';
import { parseLinkHeader } from './link.js';

/**
 * How a source pages a list, as data; `paginate` does the walking, so no connector writes a paging loop.
 *
 * - `link-header`: RFC 8288 `Link: <...>; rel="next"` (GitHub REST, Okta), or, when the header names none, the
 *   link at the body path `bodyLink` (Okta's governance API: `_links.next.href`); `emptyPageEnds` stops at an
 *   empty page whatever the links say (Okta's System Log offers a next link on every page while polling);
 * - `body-link`: the next page's URL in the body (Jira's changelog `nextPage`, Graph's `@odata.nextLink`), or, when absent, the offset
 *   `offsetParam` advanced by the items read so far;
 * - `token`: an opaque token in the body sent back as `param`, in the query or the JSON body (Jira's
 *   `nextPageToken`);
 * - `offset`: `param` advanced by the items read so far, until a short or empty page or the `last` flag.
 *
 * `items` is the dotted path of the page's list in the body (empty: the body is the list); `last` the path of a
 * flag that says "this was the last page" (Jira's `isLast`). Every next page is requested through the client, so
 * a link to another host is refused before anything is sent, and a repeated link or token (a source that would
 * loop forever, a link back to the first page included) is refused too.
 */
export type Paginator =
  | { type: 'link-header'; items?: string; rel?: string; bodyLink?: string; emptyPageEnds?: boolean }
  | { type: 'body-link'; items?: string; link: string; last?: string; offsetParam?: string }
  | { type: 'token'; items?: string; token: string; param: string; in: 'query' | 'body'; last?: string }
  | { type: 'offset'; items?: string; param: string; last?: string; pageSize?: number };

/**
 * The value at a dotted path (`a.b`), or the object itself for an empty path. A key that itself holds dots wins over
 * the path it spells (OData's `@odata.nextLink` is one key of Microsoft Graph's pages).
 */
export function pick(body: unknown, path: string | undefined): unknown {
  if (!path) return body;
  if (body !== null && typeof body === 'object' && Object.hasOwn(body, path))
    return (body as Record<string, unknown>)[path];
  let value = body;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export interface PaginateOptions {
  /** What is being read, for people and for the error's `where`. */
  what: string;
  /** A source that never stops is a fault: give up after this many pages. @defaultValue 100_000 */
  maxPages?: number;
  /** A page without its list counts as empty instead of failing (Jira's search leaves `issues` out). */
  missingItemsAreEmpty?: boolean;
}

/**
 * What `paginate` asks of a client. The kit's HttpClient is one; a connector whose requests take another road (Okta's,
 * authorised by the vendor's SDK) gives its own, with `resolve` deciding which links may be followed and where.
 */
export interface PageSource {
  readonly options: { readonly source: string };
  send(request: HttpRequest): Promise<HttpAnswer>;
  error(answer: HttpAnswer, request: Pick<HttpRequest, 'method' | 'what'>): Error;
  /** The URL a request goes to, refused (CW_SOURCE_DATA) when it may not be followed. */
  resolve(url: string, query?: HttpRequest['query'], what?: string): URL;
}

/** Every page of a list, each as its items, walking the paginator from the first request. */
export async function* paginate<T>(
  client: PageSource,
  first: HttpRequest,
  paginator: Paginator,
  options: PaginateOptions,
): AsyncGenerator<T[]> {
  const { what } = options;
  const fail = (message: string) => new CrosswalkError('CW_SOURCE_DATA', message, { where: what });
  const source = client.options.source;
  let request: HttpRequest = { ...first, what };
  // Links are compared where they lead, so one back to the first page is a loop too.
  const seen = new Set<string>([client.resolve(request.url, request.query, what).href]);
  const offsetParam =
    paginator.type === 'offset'
      ? paginator.param
      : paginator.type === 'body-link'
        ? paginator.offsetParam
        : undefined;
  // An offset walk that starts part-way (`startAt=40`) goes on from there.
  let read = offsetParam ? Number(first.query?.[offsetParam] ?? 0) : 0;
  for (let page = 0; ; page++) {
    if (page >= (options.maxPages ?? 100_000)) throw fail(`${source}'s ${what} does not end`);
    const answer = await client.send(request);
    if (answer.status < 200 || answer.status >= 300) throw client.error(answer, request);
    if (paginator.items && (answer.body === null || typeof answer.body !== 'object')) {
      throw fail(`${source} answered ${what} with something other than a page`);
    }
    const listed = pick(answer.body, paginator.items);
    const items = listed === undefined && options.missingItemsAreEmpty ? [] : listed;
    if (!Array.isArray(items)) throw fail(`${source} answered ${what} with something other than a page`);
    yield items as T[];
    read += items.length;
    if (paginator.type !== 'link-header' && paginator.last && pick(answer.body, paginator.last) === true)
      return;
    let next: HttpRequest | undefined;
    let marker: string | undefined;
    switch (paginator.type) {
      case 'link-header': {
        if (paginator.emptyPageEnds && items.length === 0) return;
        const fromBody = paginator.bodyLink ? pick(answer.body, paginator.bodyLink) : undefined;
        const link =
          parseLinkHeader(answer.headers.get('link'))[paginator.rel ?? 'next'] ??
          (typeof fromBody === 'string' && fromBody !== '' ? fromBody : undefined);
        if (link) next = { ...request, url: link, query: {} };
        break;
      }
      case 'body-link': {
        if (items.length === 0) return;
        const link = pick(answer.body, paginator.link);
        if (typeof link === 'string' && link !== '') {
          next = { ...request, url: link, query: {} };
        } else if (paginator.offsetParam) {
          marker = `${paginator.offsetParam}=${read}`;
          next = { ...request, query: { ...request.query, [paginator.offsetParam]: read } };
        }
        break;
      }
      case 'token': {
        const token = pick(answer.body, paginator.token);
        if (typeof token === 'string' && token !== '') {
          marker = token;
          next =
            paginator.in === 'query'
              ? { ...request, query: { ...request.query, [paginator.param]: token } }
              : { ...request, body: { ...(request.body as object), [paginator.param]: token } };
        }
        break;
      }
      case 'offset': {
        if (items.length === 0 || (paginator.pageSize !== undefined && items.length < paginator.pageSize))
          return;
        marker = `${paginator.param}=${read}`;
        next = { ...request, query: { ...request.query, [paginator.param]: read } };
        break;
      }
    }
    if (next === undefined) return;
    // Resolving here refuses a link off the configured host with the page it came from named.
    const resolved = client.resolve(next.url, next.query, what);
    marker ??= resolved.href;
    if (seen.has(marker))
      throw fail(
        `${source} repeated a next-page ${paginator.type === 'token' ? 'token' : 'link'} for ${what}`,
      );
    seen.add(marker);
    request = next;
  }
}
