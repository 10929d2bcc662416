import { z } from 'zod';
import { CoverageCache } from '../coverage-cache.js';
import { assertExportWithin, listParam, QUERY_FIELDS, resolveSelection } from '../export-scope.js';
import { bearer, responses } from '../schemas.js';
import { feature, PROTECTED } from './feature.js';

const repeatable = z.union([z.string().max(2000), z.array(z.string().max(200)).max(500)]);

const querySchema = z
  .object({
    framework: repeatable.describe(
      'soc2 (soc2-2017) and/or iso27001 (iso27001-2022): repeat the parameter or separate with commas',
    ),
    control: repeatable.optional().describe('Only these controls (CC6.1, A.5.15, soc2:CC8.1); repeatable'),
    from: z.string().min(1).max(64).describe('Window start, inclusive: YYYY-MM-DD or an ISO 8601 timestamp'),
    to: z.string().min(1).max(64).describe('Window end, exclusive; a timestamp without a zone is UTC'),
  })
  .strict();

const periodSchema = z.object({
  period: z.string().describe('2026-03-10, 2026-Q1 or 2026-03'),
  start: z.string(),
  end: z.string(),
  expected: z.number().nullable().describe('null for event kinds: nobody can say how many to expect'),
  found: z.number(),
  gap: z.boolean(),
  failedRunDays: z.array(z.string()),
  noRunDays: z.array(z.string()),
  beyondSourceRetentionDays: z
    .array(z.string())
    .describe("days the kind's source no longer keeps (its retention), without evidence collected in time"),
});

const reportSchema = z
  .object({
    window: z.object({ from: z.string(), to: z.string() }),
    evaluatedUntil: z.string().describe('min(to, now): periods after it expect nothing yet'),
    generatedAt: z.string(),
    mappingVersion: z.string(),
    frameworks: z.array(z.string()),
    summary: z.object({
      controls: z.number(),
      complete: z.number(),
      gaps: z.number(),
      noEvidence: z.number(),
      manual: z.number(),
      records: z.number(),
    }),
    kinds: z.array(
      z.object({
        kind: z.string(),
        title: z.string(),
        cadence: z.enum(['event', 'daily', 'quarterly']),
        connectors: z.array(z.string()),
        found: z.number(),
        expected: z.number().nullable(),
        gapPeriods: z.array(z.string()),
        failedRunDays: z.array(z.string()),
        noRunDays: z.array(z.string()),
        sourceRetentionDays: z
          .number()
          .nullable()
          .describe("how many days the kind's source keeps (Google's Reports API: 180); null when unknown"),
        beyondSourceRetentionDays: z.array(z.string()),
        periods: z.array(periodSchema),
      }),
    ),
    controls: z.array(
      z.object({
        framework: z.string(),
        id: z.string(),
        title: z.string(),
        status: z
          .enum(['complete', 'gaps', 'no-evidence', 'manual'])
          .describe('manual: no connector can evidence it (e.g. ISO 9.3 management review)'),
        kinds: z.array(z.string()),
        found: z.number(),
        expected: z.number().nullable(),
        gapPeriods: z.number(),
        failedRunDays: z.number(),
        noRunDays: z.number(),
        beyondSourceRetentionDays: z.number(),
      }),
    ),
    runProblems: z.array(z.object({ connectorId: z.string(), key: z.string(), message: z.string() })),
  })
  .describe('Coverage of a window: per control and cadence period, expected vs found, run days, gaps');

/**
 * `GET /v1/coverage`: the same report as an export's coverage.csv, computed from record keys and run
 * manifests without reading any evidence body, and kept per chain heads (coverage-cache.ts). Any key may ask,
 * within its scope.
 */
export const coveragePlugin = feature('crosswalk-coverage', PROTECTED, async (app) => {
  const { runtime } = app;
  const cache = new CoverageCache(runtime.locker, runtime.env.CROSSWALK_COVERAGE_REFRESH_MS);
  app.get(
    '',
    {
      schema: {
        tags: ['exports'],
        summary: 'Coverage of a window',
        description:
          'Per control: status (complete, gaps, no-evidence, manual); per kind and cadence period: expected and ' +
          'found, days with only failed runs or none. The rules are in docs/export-format.md.',
        security: bearer,
        querystring: querySchema,
        response: responses({ 200: reportSchema }, [400, 401, 403, 503]),
      },
    },
    async (request) => {
      const { query } = request;
      const selection = {
        frameworks: listParam(query.framework),
        controls: listParam(query.control),
        from: query.from,
        to: query.to,
      };
      const resolved = resolveSelection(selection, QUERY_FIELDS);
      assertExportWithin(request.apiKey, resolved, QUERY_FIELDS);
      const key = JSON.stringify([
        resolved.scope.frameworks,
        resolved.scope.requestedControls,
        resolved.window,
      ]);
      return cache.report(selection, key);
    },
  );
});
