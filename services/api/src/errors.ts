import {
  CrosswalkError,
  type ErrorCode,
  errorCatalog,
  type FieldIssue,
  isCrosswalkError,
} from '@crosswalk/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The body of every error response: `{ error: { code, message, where?, issues? } }`, never a stack. */
export interface ErrorBody {
  error: ReturnType<CrosswalkError['toJSON']>;
}

const CONTEXTS: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/**
 * Fastify's own request errors, by code, with messages of our own: theirs can quote the request back (a JSON
 * parse error repeats the text around the fault), and a response should say what is wrong, not echo input.
 */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'CW_PAYLOAD_TOO_LARGE',
    message: 'request body is larger than allowed',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'CW_INPUT_INVALID',
    message: 'unsupported content type: send application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'CW_INPUT_INVALID',
    message: 'request body is empty but the content type is application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'CW_INPUT_INVALID', message: 'request body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'CW_INPUT_INVALID',
    message: 'request body does not match its Content-Length',
  },
};

/**
 * Any error as a catalogue error plus whether it was unexpected. Route validation failures become
 * CW_INPUT_INVALID with one issue per bad field (`query.limit`, `body.auth.token`); Fastify's request errors
 * become CW_INPUT_INVALID or CW_PAYLOAD_TOO_LARGE; anything else is CW_INTERNAL with a generic message.
 */
export function toCrosswalkError(error: unknown): { error: CrosswalkError; unexpected: boolean } {
  if (isCrosswalkError(error)) return { error, unexpected: errorCatalog[error.code].status >= 500 };
  const fastifyError = error as Partial<FastifyError> | undefined;
  if (fastifyError && Array.isArray(fastifyError.validation)) {
    const context = CONTEXTS[fastifyError.validationContext ?? ''] ?? 'request';
    const issues: FieldIssue[] = fastifyError.validation.map((item) => {
      const path = String(item.instancePath ?? '')
        .split('/')
        .filter(Boolean)
        .join('.');
      return { path: path ? `${context}.${path}` : context, message: String(item.message ?? 'is invalid') };
    });
    return {
      error: new CrosswalkError(
        'CW_INPUT_INVALID',
        `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        { where: context, issues },
      ),
      unexpected: false,
    };
  }
  const known = FASTIFY_ERRORS[fastifyError?.code ?? ''];
  if (known) return { error: new CrosswalkError(known.code, known.message), unexpected: false };
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
              : 'CW_INPUT_INVALID';
    const tag = typeof fastifyError?.code === 'string' && /^FST_[A-Z_]+$/.test(fastifyError.code);
    return {
      error: new CrosswalkError(code, `malformed request${tag ? ` (${fastifyError!.code})` : ''}`),
      unexpected: false,
    };
  }
  return {
    error: new CrosswalkError(
      'CW_INTERNAL',
      'internal error: the server log has the detail under this request id',
    ),
    unexpected: true,
  };
}

/** The app's error handler: the catalogue status and body; the detail of anything unexpected goes to the log. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { error: mapped, unexpected } = toCrosswalkError(error);
  if (unexpected) request.log.error({ err: error }, 'request failed');
  else request.log.debug({ code: mapped.code, where: mapped.where }, 'request refused');
  // RFC 6750: a 401 for a missing or bad Bearer token names the scheme (webhook 401s name none).
  if (mapped.code === 'CW_UNAUTHORIZED' && mapped.where === 'Authorization') {
    reply.header('www-authenticate', 'Bearer');
  }
  reply.status(mapped.status).send({
    error: {
      ...mapped.toJSON(),
      ...(mapped.code === 'CW_INTERNAL' ? { where: request.id } : {}),
    },
  } satisfies ErrorBody);
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
