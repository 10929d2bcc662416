import type { z } from 'zod';
import type { FieldIssue } from './errors.js';

/** zod issues as `{ path, message }` with dot-joined paths (`payload.reviews.0.state`), for people and clients. */
export function zodIssues(error: z.ZodError, prefix: (string | number)[] = []): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => String(p))].join('.') || '(root)',
    message: issue.message,
  }));
}
