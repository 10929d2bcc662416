import { z } from 'zod';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export interface SourceUrlOptions {
  /** What the field is, for the "e.g." in a message: `https://acme.okta.com`. */
  example: string;
  /**
   * `any`: http or https. `loopback`: plain http only for a loopback host, so a test server can stand in for the
   * source; anything else would send the credential in the clear.
   * @defaultValue 'any'
   */
  plainHttp?: 'any' | 'loopback';
  /**
   * Whether the URL may have a path (GitHub Enterprise Server's `/api/v3`, Jira's `/ex/jira/<cloudId>`). Without
   * one, the value becomes the origin.
   * @defaultValue true
   */
  path?: boolean;
}

/**
 * A connector's source URL (a base URL, a site, an org), as every connector's config takes it: http(s), no user
 * name or password, no query or fragment, without trailing slashes. A URL is echoed everywhere (configs shown by
 * the API, logs, run manifests, record links in an auditor's bundle), so credentials in one (`https://u:p@host`,
 * `?token=...`) would be stored and shown in the clear; they belong in the connector's `auth`, which is sealed and
 * never shown. Messages name the rule, never the value, so a rejected password is not repeated back.
 * @example baseUrl: sourceUrl({ example: 'https://api.github.com' }).default('https://api.github.com')
 */
export function sourceUrl(options: SourceUrlOptions) {
  const plainHttp = options.plainHttp ?? 'any';
  const pathAllowed = options.path ?? true;
  return (
    z
      .string({ message: `must be a URL, e.g. ${options.example}` })
      .trim()
      .superRefine((value, issues) => {
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          issues.addIssue({ code: 'custom', message: `must be a URL, e.g. ${options.example}` });
          return;
        }
        const loopbackHttp = url.protocol === 'http:' && LOOPBACK.test(url.hostname);
        if (
          url.protocol !== 'https:' &&
          !(url.protocol === 'http:' && (plainHttp === 'any' || loopbackHttp))
        ) {
          issues.addIssue({
            code: 'custom',
            message:
              plainHttp === 'any'
                ? 'must be an http(s) URL'
                : 'must be an https URL (http only for a loopback test server)',
          });
        }
        if (url.username !== '' || url.password !== '') {
          issues.addIssue({
            code: 'custom',
            message: 'must not carry a user name or password: credentials go in auth, which is stored sealed',
          });
        }
        // `new URL` drops an empty `?` or `#`, which carry nothing; the raw text still decides, so `...?` is refused.
        if (url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
          issues.addIssue({ code: 'custom', message: 'must not carry a query or fragment' });
        }
        if (!pathAllowed && url.pathname.replace(/\/+$/, '') !== '') {
          issues.addIssue({
            code: 'custom',
            message: `must be the base URL without a path, e.g. ${options.example}`,
          });
        }
      })
      // The text as given (less trailing slashes), not URL's normal form: record instances and links are built from
      // it, and a stored record's id must not change because a config was parsed again.
      .transform((value) => (pathAllowed ? value.replace(/\/+$/, '') : new URL(value).origin))
  );
}
