/**
 * An RFC 8288 `Link` header as rel -> URL. Commas inside `<...>` belong to the URL (a cursor may hold one), so
 * the header is read link by link rather than split on commas; a link with several rels (`rel="next last"`)
 * counts for each.
 */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  const link = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of (header ?? '').matchAll(link)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(match[2] ?? '');
    for (const name of (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter(Boolean)) {
      links[name.toLowerCase()] ??= match[1]!;
    }
  }
  return links;
}
