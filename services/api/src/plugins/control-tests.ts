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
} from '@crosswalk/assurance';
import { CrosswalkError, parseInstant } from '@crosswalk/core';
import { z } from 'zod';
import { assertControlWithin, assertWindowWithin, mapsToScope } from '../control-scope.js';
import { ControlTestCache } from '../control-test-cache.js';
import { pagePopulation, populationPageQuery } from '../population-page.js';
import { bearer, responses } from '../schemas.js';
import { feature, PROTECTED } from './feature.js';

/** Testing controls is an audit: auditors and admins, as for exports. Changing the register is the admins'. */
const AUDIT_ROLES = ['auditor', 'admin'] as const;

const controlIdParam = z
  .object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a register control id') })
  .strict();

const anyObject = z.record(z.string(), z.unknown());

const windowQuery = {
  from: z.string().min(1).max(64).describe('Window start, inclusive: YYYY-MM-DD or an ISO 8601 timestamp'),
  to: z.string().min(1).max(64).describe('Window end, exclusive'),
};

const testQuery = z
  .object({
    ...windowQuery,
    seed: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, '1-128 letters, digits, ".", "_", ":" or "-"')
      .optional()
      .describe('Sampling seed; without it a fresh one is drawn and returned'),
    ...populationPageQuery,
  })
  .strict();

const overviewQuery = z.object(windowQuery).strict();

const periodCounts = z
  .object({ expected: z.number().nullable(), operated: z.number().nullable(), missed: z.number().nullable() })
  .describe('Periods of the window that ended by evaluatedUntil; null for event-driven controls');

const overviewSchema = z
  .object({
    window: z.object({ from: z.string(), to: z.string() }),
    evaluatedUntil: z
      .string()
      .describe('min(to, the reading of the evidence): later periods are not expected yet'),
    register: anyObject.describe('Which register version the controls come from (source, sha256, version)'),
    controls: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        frequency: z.string(),
        periods: periodCounts,
        exceptions: z.object({
          total: z.number(),
          open: z.number(),
          remediated: z.number().describe('remediated or justified'),
        }),
        populationSize: z.number(),
        mappings: anyObject,
      }),
    ),
  })
  .describe("The window's controls: stated frequency, periods operated, exceptions open and remediated");

/** The window of a request, named by its fields when it is not one. */
function windowOf(query: { from: string; to: string }): { from: string; to: string } {
  const window = { from: parseInstant(query.from, 'query.from'), to: parseInstant(query.to, 'query.to') };
  if (window.from >= window.to) {
    throw new CrosswalkError('CW_INPUT_INVALID', `from (${window.from}) must be before to (${window.to})`, {
      where: 'query.to',
      issues: [{ path: 'query.to', message: 'must be after from' }],
    });
  }
  return window;
}

/**
 * `/v1/controls/...`: the organisation's control register and its tests over a window, computed by
 * @crosswalk/assurance from the locker alone: the same answer as `crosswalk controls test` for the same locker,
 * register and seed.
 */
export const controlTestsPlugin = feature('crosswalk-control-tests', PROTECTED, async (app) => {
  const { runtime } = app;
  const cache = new ControlTestCache(runtime.locker, runtime.env.CROSSWALK_CONTROL_TESTS_REFRESH_MS);

  app.get(
    '/overview',
    {
      config: { roles: AUDIT_ROLES },
      schema: {
        tags: ['controls'],
        summary: "The window's controls at a glance",
        description:
          'Per register control: stated frequency, periods expected, operated and missed, exceptions (open, ' +
          'remediated or justified), population size and framework mappings. A scoped auditor sees only the ' +
          'controls that map to its frameworks, and only windows inside its period. Kept per chain heads; see ' +
          'docs/architecture.md.',
        security: bearer,
        querystring: overviewQuery,
        response: responses({ 200: overviewSchema }, [400, 401, 403, 503]),
      },
    },
    async (request) => {
      const window = windowOf(request.query);
      const scope = request.apiKey?.scope ?? null;
      assertWindowWithin(scope, window);
      const begun = cache.begin();
      const { register, source } = await registerFor(runtime.locker, window.to);
      const visible = register.controls.filter((c) => mapsToScope(scope, controlMappings(c)));
      const results = visible.length === 0 ? [] : await cache.all(register, source, window, begun);
      const byId = new Map(results.map((r) => [r.control.id, r]));
      return {
        window,
        evaluatedUntil: results[0]?.evaluatedUntil ?? window.to,
        register: source,
        controls: visible.map((control) => {
          const { summary, mappings, population } = byId.get(control.id)!;
          return {
            id: control.id,
            title: control.title,
            frequency: control.frequency,
            periods: {
              expected: summary.periodsExpected,
              operated: summary.periodsOperated,
              missed: summary.gaps,
            },
            exceptions: {
              total: summary.exceptions,
              open: summary.exceptionsOpen,
              remediated: summary.exceptionsRemediated,
            },
            populationSize: population.records,
            mappings,
          };
        }),
      };
    },
  );

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
          'sample (seed, method and population hash returned) and the IPE pack; see docs/controls.md. With ' +
          '`limit`, one page of the population (filtered by outcome, searched, sorted) and `population.page`. ' +
          'Kept per chain heads (docs/architecture.md); remediations are read per request.',
        security: bearer,
        params: controlIdParam,
        querystring: testQuery,
        response: responses({ 200: anyObject }, [400, 401, 403, 503]),
      },
    },
    async (request) => {
      const { query } = request;
      const window = windowOf(query);
      const begun = cache.begin();
      const { register, source } = await registerFor(runtime.locker, window.to);
      const control = findRegisterControl(register, request.params.id, 'params.id');
      assertControlWithin(request.apiKey?.scope ?? null, window, controlMappings(control));
      const result = await cache.one(register, source, control.id, window, query.seed, begun);
      return pagePopulation(result, query);
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
