import { z } from 'zod';

/**
 * `{ error: { code, message, where, issues? } }`: every non-2xx answer of the API. A 4xx names the request field
 * in `where` and lists each bad field in `issues`; a 5xx names the request id in `where`.
 */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable CW_* code (docs/errors.md)'),
      message: z.string(),
      where: z
        .string()
        .describe(
          '4xx: the request field at fault (query.limit, body.auth.token, params.id, headers.authorization, url); 5xx: the request id',
        ),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('4xx: one entry per bad field (at least one); absent on a 5xx'),
    }),
  })
  .describe('Error');

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (CW_INPUT_INVALID, CW_CONFIG_INVALID, CW_FRAMEWORK_UNKNOWN, ...)',
  401: 'Missing, unknown, expired or revoked credential (CW_UNAUTHORIZED)',
  403: "The key's role or scope does not allow this (CW_FORBIDDEN)",
  404: 'No such object (CW_NOT_FOUND)',
  409: 'Already exists (CW_LOCKER_DUPLICATE)',
  413: 'Body over the limit (CW_PAYLOAD_TOO_LARGE)',
  415: 'A content type the route does not take (CW_MEDIA_TYPE_UNSUPPORTED)',
  422: 'The Idempotency-Key was used for a different request (CW_IDEMPOTENCY_KEY_REUSED)',
  429: 'Too many failed logins from this client (CW_TOO_MANY_ATTEMPTS); see Retry-After',
  503: 'Redis or the locker is unreachable',
};

/** Response schemas for a route: its success schemas plus the shared error schema for each listed status. */
export function responses<T extends Record<number, z.ZodType>>(
  success: T,
  errors: readonly number[],
): T & Record<number, z.ZodType> {
  const all: Record<number, z.ZodType> = { ...success };
  for (const status of [...errors, 500]) {
    all[status] = errorSchema.describe(ERROR_DESCRIPTIONS[status] ?? 'Internal error (CW_INTERNAL)');
  }
  return all as T & Record<number, z.ZodType>;
}

/**
 * Marks a route as needing `Authorization: Bearer cwk_...`, or the console's session cookie standing for such a
 * key, in the OpenAPI document (either one: two entries).
 */
export const bearer: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];

/** Query and path values arrive as text; limits are coerced but still bounded. */
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(100)
  .describe('Items per page (1-1000)');

/** Ids that become locker key segments and queue job ids. */
export const connectorIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit",
  )
  .describe('Connector id, e.g. github-acme');
