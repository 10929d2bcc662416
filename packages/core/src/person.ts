import { z } from 'zod';

/** Someone at a source system. At least one handle is required so an auditor can tell who it was. */
export const personSchema = z
  .object({
    login: z.string().min(1).optional(),
    email: z.string().min(3).optional(),
    name: z.string().min(1).optional(),
    /** The source system's own id for the person (GitHub node id, Okta user id, Atlassian account id). */
    id: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (p) => p.login ?? p.email ?? p.id ?? p.name,
    'a person needs at least one of login, email, id, name',
  );

export type Person = z.infer<typeof personSchema>;
