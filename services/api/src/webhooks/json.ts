import { CrosswalkError, zodIssues } from '@crosswalk/core';
import type { z } from 'zod';

/**
 * The body as JSON checked against a sender's envelope schema: CW_INPUT_INVALID for text that is not JSON
 * (without echoing it) or for a body whose envelope is wrong, naming each field under `body.`.
 */
export function parseJsonBody<T>(body: Buffer, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    const text = body.toString('utf8');
    if (text.trim().length === 0) throw new Error('empty');
    value = JSON.parse(text);
  } catch {
    throw new CrosswalkError('CW_INPUT_INVALID', 'delivery body is not valid JSON', { where: 'body' });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, ['body']);
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `invalid delivery body: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { where: 'body', issues },
    );
  }
  return parsed.data;
}
