import {
  CrosswalkError,
  type ErrorCode,
  errorCatalog,
  type FieldIssue,
  isCrosswalkError,
} from '@crosswalk/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The body of every error response: `{ error: { code, message, where, issues? } }`, never a stack. A 4xx names
 * the request field at fault in `where` (`query.limit`, `body.auth.token`, `params.id`, `headers.authorization`,
 * `url`) and lists each bad field in `issues` (at least one); a 5xx carries the request id in `where` and a
 * message that names no internal address, bucket or object key (those go to the server log).
 */
export interface ErrorBody {
  error: ReturnType<CrosswalkError['toJSON']>;
}

/** A request field path: the part of the request (`url`, `headers`, `params`, `query`, `body`), then the field. */
export const FIELD_PATH = /^(url|headers|params|query|body)(\.[^\s]{1,300})?$/;

const CONTEXTS: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/**
 * Fastify's own request errors, by code, with messages and fields of our own: theirs can quote the request back
 * (a JSON parse error repeats the text around the fault) and name fastify's internals (`FST_ERR_BAD_URL`); a
 * response should say what is wrong and where, not echo input or the framework.
 */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; message: string; where: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'CW_PAYLOAD_TOO_LARGE',
    message: 'request body is larger than allowed',
    where: 'body',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'CW_MEDIA_TYPE_UNSUPPORTED',
    message: 'unsupported content type: send application/json',
    where: 'headers.content-type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'CW_INPUT_INVALID',
    message: 'request body does not match its Content-Length',
    where: 'headers.content-length',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'CW_INPUT_INVALID',
    message: 'request body is empty but the content type is application/json',
    where: 'body',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'CW_INPUT_INVALID',
    message: 'request body is not valid JSON',
    where: 'body',
  },
  FST_ERR_BAD_URL: {
    code: 'CW_INPUT_INVALID',
    message: 'the URL is not valid: a path segment has malformed percent-encoding',
    where: 'url',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'CW_INPUT_INVALID',
    message: 'a path segment is longer than 256 characters',
    where: 'url',
  },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'CW_INPUT_INVALID', message: 'malformed request', where: 'url' },
};

/** The field a fastify validation issue names: `query.limit`, `body.auth.token`, or the part itself. */
function issuePath(context: string, instancePath: unknown, params: unknown): string {
  const segments = String(instancePath ?? '')
    .split('/')
    .filter(Boolean);
  // A missing required property is reported on its parent; name the property itself.
  const missing = (params as { missingProperty?: unknown } | undefined)?.missingProperty;
  if (typeof missing === 'string') segments.push(missing);
  return [context, ...segments].join('.');
}

/**
 * Any error as a catalogue error plus whether it was unexpected. Route validation failures become
 * CW_INPUT_INVALID with one issue per bad field (`query.limit`, `body.auth.token`); Fastify's request errors
 * become the catalogue code of their status, naming the request part; anything else is CW_INTERNAL.
 */
export function toCrosswalkError(error: unknown): { error: CrosswalkError; unexpected: boolean } {
  if (isCrosswalkError(error)) return { error, unexpected: errorCatalog[error.code].status >= 500 };
  const fastifyError = error as Partial<FastifyError> | undefined;
  if (fastifyError && Array.isArray(fastifyError.validation)) {
    const part = String(fastifyError.validationContext ?? '');
    const context = Object.hasOwn(CONTEXTS, part) ? CONTEXTS[part]! : 'url';
    const issues: FieldIssue[] = fastifyError.validation.map((item) => ({
      path: issuePath(context, item.instancePath, item.params),
      message: String(item.message ?? 'is invalid'),
    }));
    if (issues.length === 0) issues.push({ path: context, message: 'is invalid' });
    return {
      error: new CrosswalkError(
        'CW_INPUT_INVALID',
        `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        { where: issues[0]!.path, issues },
      ),
      unexpected: false,
    };
  }
  const fastifyCode = String(fastifyError?.code ?? '');
  const known = Object.hasOwn(FASTIFY_ERRORS, fastifyCode) ? FASTIFY_ERRORS[fastifyCode] : undefined;
  if (known) {
    return {
      error: new CrosswalkError(known.code, known.message, { where: known.where }),
      unexpected: false,
    };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 401
        ? 'CW_UNAUTHORIZED'
        : status === 403
          ? 'CW_FORBIDDEN'
          : status === 404
            ? 'CW_NOT_FOUND'
            : status === 413
              ? 'CW_PAYLOAD_TOO_LARGE'
              : status === 415
                ? 'CW_MEDIA_TYPE_UNSUPPORTED'
                : 'CW_INPUT_INVALID';
    return { error: new CrosswalkError(code, 'malformed request', { where: 'url' }), unexpected: false };
  }
  return {
    error: new CrosswalkError(
      'CW_INTERNAL',
      'internal error: the server log has the detail under this request id',
    ),
    unexpected: true,
  };
}

/**
 * What a 5xx tells the client: the code (stable, and whether to retry), a message of our own and the request
 * id. The error's own message can name the S3 endpoint, the bucket or an object key (`keys/<id>.json`): those
 * are for the server log, which has them under the same request id.
 */
const SERVER_MESSAGES: Partial<Record<ErrorCode, string>> = {
  CW_LOCKER_UNAVAILABLE: 'the evidence store could not be reached (retry later)',
  CW_REDIS_UNAVAILABLE: 'the job queue could not be reached (retry later)',
  CW_LOCKER_CORRUPT: 'a stored object does not match its recorded hash',
  CW_LOCKER_DENIED: 'the evidence store refused the request',
  CW_CHAIN_BROKEN: 'a run manifest does not link to the previous one',
};

/** The one public shape of an error: see ErrorBody. */
export function publicError(mapped: CrosswalkError, requestId: string): ErrorBody['error'] {
  if (mapped.status >= 500) {
    return {
      code: mapped.code,
      message: `${SERVER_MESSAGES[mapped.code] ?? 'internal error'}: the server log has the detail under this request id`,
      where: requestId,
    };
  }
  const issues = mapped.issues.filter((issue) => FIELD_PATH.test(issue.path));
  const where =
    mapped.where !== undefined && FIELD_PATH.test(mapped.where) ? mapped.where : (issues[0]?.path ?? 'url');
  return {
    code: mapped.code,
    message: mapped.message,
    where,
    issues: issues.length > 0 ? issues : [{ path: where, message: mapped.message }],
  };
}

/** The app's error handler: the catalogue status and body; the detail of any 5xx goes to the log. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { error: mapped, unexpected } = toCrosswalkError(error);
  if (unexpected) request.log.error({ err: error }, 'request failed');
  else if (mapped.status >= 500) {
    // Expected (an outage), but its detail (endpoint, bucket, key) is for operators only.
    request.log.warn({ code: mapped.code, where: mapped.where, detail: mapped.message }, 'request failed');
  } else request.log.debug({ code: mapped.code, where: mapped.where }, 'request refused');
  const body = publicError(mapped, request.id);
  // RFC 6750: a 401 for a missing or bad Bearer token names the scheme (webhook 401s name none).
  if (
    mapped.code === 'CW_UNAUTHORIZED' &&
    body.where === 'headers.authorization' &&
    !request.routeOptions?.config?.webhook
  ) {
    reply.header('www-authenticate', 'Bearer');
  }
  reply.status(mapped.status).send({ error: body } satisfies ErrorBody);
}

/** Runs `fn`, re-pointing a catalogue error it throws at the request field it came from (`query.control`). */
export function atField<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isCrosswalkError(error) && error.status < 500) {
      throw new CrosswalkError(error.code, error.message, {
        where: path,
        issues: [{ path, message: error.message }],
      });
    }
    throw error;
  }
}
