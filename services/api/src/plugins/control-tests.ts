import {
  addRemediation,
  applyRegister,
  controlMappings,
  findRegisterControl,
  listRegisterVersions,
  parseRegister,
  registerFor,
  remediationInputSchema,
  soaCsv,
  statementOfApplicability,
  testControl,
} from '@crosswalk/assurance';
import { resolveFramework } from '@crosswalk/controls';
import { CrosswalkError, parseInstant } from '@crosswalk/core';
import { z } from 'zod';
import { bearer, responses } from '../schemas.js';
import { feature, PROTECTED } from './feature.js';

/** Testing controls is an audit: auditors and admins, as for exports. Changing the register is the admins'. */
const AUDIT_ROLES = ['auditor', 'admin'] as const;

const controlIdParam = z
  .object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a register control id') })
  .strict();

const testQuery = z
  .object({
    from: z.string().min(1).max(64).describe('Window start, inclusive: YYYY-MM-DD or an ISO 8601 timestamp'),
    to: z.string().min(1).max(64).describe('Window end, exclusive'),
    seed: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, '1-128 letters, digits, ".", "_", ":" or "-"')
      .optional()
      .describe('Sampling seed; without it a fresh one is drawn and returned'),
  })
  .strict();

const anyObject = z.record(z.string(), z.unknown());

/**
 * `/v1/controls/...`: the organisation's control register and its tests over a window, computed by
 * @crosswalk/assurance from the locker alone: the same answer as `crosswalk controls test` for the same locker,
 * register and seed.
 */
export const controlTestsPlugin = feature('crosswalk-control-tests', PROTECTED, async (app) => {
  const { runtime } = app;

  app.get(
    '/register',
    {
      schema: {
        tags: ['controls'],
        summary: 'The control register in force now, and where it came from',
        security: bearer,
        response: responses({ 200: anyObject }, [401, 503]),
      },
    },
    async () => {
      const { register, source } = await registerFor(runtime.locker, new Date().toISOString());
      return { source, register };
    },
  );

  app.get(
    '/register/versions',
    {
      schema: {
        tags: ['controls'],
        summary: 'Every applied register version: who, when, what',
        security: bearer,
        response: responses({ 200: z.object({ versions: z.array(anyObject) }) }, [401, 503]),
      },
    },
    async () => ({ versions: await listRegisterVersions(runtime.locker) }),
  );

  app.post(
    '/register',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['controls'],
        summary: 'Apply a register as a new write-once version (validated whole: nothing half-applied)',
        security: bearer,
        body: z.object({ register: z.unknown(), note: z.string().max(2000).default('') }).strict(),
        response: responses({ 201: anyObject }, [400, 401, 403, 503]),
      },
    },
    async (request, reply) => {
      let register: ReturnType<typeof parseRegister>;
      try {
        register = parseRegister(request.body.register, 'body.register');
      } catch (error) {
        if (error instanceof CrosswalkError) {
          throw new CrosswalkError(error.code, error.message, {
            where: 'body.register',
            issues: error.issues.map((i) => ({ ...i, path: `body.register.${i.path}` })),
          });
        }
        throw error;
      }
      const key = request.apiKey!;
      const version = await applyRegister(runtime.locker, register, {
        appliedBy: `${key.name} (key:${key.id})`,
        note: request.body.note,
      });
      reply.status(201);
      return version;
    },
  );

  app.get(
    '/soa',
    {
      schema: {
        tags: ['controls'],
        summary: 'The ISO 27001:2022 Statement of Applicability draft from the register in force, as CSV',
        security: bearer,
        produces: ['text/csv'],
        response: responses({ 200: z.string() }, [401, 503]),
      },
    },
    async (_request, reply) => {
      const { register } = await registerFor(runtime.locker, new Date().toISOString());
      reply.type('text/csv; charset=utf-8');
      return soaCsv(statementOfApplicability(register));
    },
  );

  app.get(
    '/:id/test',
    {
      config: { roles: AUDIT_ROLES },
      schema: {
        tags: ['controls'],
        summary: 'Test a register control over a window',
        description:
          'Population (current answers), operation per period, exceptions with remediations, a reproducible ' +
          'sample (seed, method and population hash returned) and the IPE pack; see docs/controls.md.',
        security: bearer,
        params: controlIdParam,
        querystring: testQuery,
        response: responses({ 200: anyObject }, [400, 401, 403, 503]),
      },
    },
    async (request) => {
      const { query } = request;
      const window = { from: parseInstant(query.from, 'query.from'), to: parseInstant(query.to, 'query.to') };
      const { register, source } = await registerFor(runtime.locker, window.to);
      const control = findRegisterControl(register, request.params.id, 'params.id');
      assertControlWithin(request.apiKey?.scope ?? null, window, controlMappings(control));
      return testControl({
        locker: runtime.locker,
        register,
        registerSource: source,
        control: control.id,
        ...window,
        ...(query.seed ? { seed: query.seed } : {}),
      });
    },
  );

  app.post(
    '/:id/remediations',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['controls'],
        summary: 'Record a remediation or justification of an exception (write-once; the exception stays)',
        security: bearer,
        params: controlIdParam,
        body: remediationInputSchema,
        response: responses({ 201: anyObject }, [400, 401, 403, 503]),
      },
    },
    async (request, reply) => {
      const key = request.apiKey!;
      const entered = await addRemediation(
        runtime.locker,
        request.params.id,
        request.body,
        { by: `${key.name} (key:${key.id})` },
        'body',
      );
      reply.status(201);
      return entered;
    },
  );
});

/**
 * A scoped auditor key tests only inside its period, and only controls that map to one of its frameworks: a
 * request reaching outside is refused whole (403 naming the field), never trimmed, as for exports.
 */
function assertControlWithin(
  scope: { from: string | null; to: string | null; frameworks?: string[] | null } | null,
  window: { from: string; to: string },
  mappings: ReturnType<typeof controlMappings>,
): void {
  if (!scope) return;
  const refuse = (where: string, reason: string) =>
    new CrosswalkError('CW_FORBIDDEN', `outside this key's scope: ${reason}`, {
      where,
      issues: [{ path: where, message: reason }],
    });
  if (scope.from !== null && window.from < parseInstant(scope.from, 'scope.from')) {
    throw refuse('query.from', `the key's period starts at ${scope.from}`);
  }
  if (scope.to !== null && window.to > parseInstant(scope.to, 'scope.to')) {
    throw refuse('query.to', `the key's period ends at ${scope.to}`);
  }
  if (scope.frameworks) {
    const allowed = new Set(
      scope.frameworks.flatMap((name) => {
        try {
          return [resolveFramework(name)];
        } catch {
          return [];
        }
      }),
    );
    const mapped =
      (allowed.has('soc2-2017') && mappings['soc2-2017'].effective.length > 0) ||
      ((allowed.has('iso27001-2022') || allowed.has('iso27001-2013')) &&
        mappings['iso27001-2022'].effective.length > 0);
    if (!mapped)
      throw refuse(
        'params.id',
        `the control maps to none of the key's frameworks (${[...allowed].join(', ')})`,
      );
  }
}
