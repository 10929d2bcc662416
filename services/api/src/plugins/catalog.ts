import {
  crosswalkPairs,
  crosswalkSource,
  type FrameworkId,
  frameworks,
  kindsFor,
  listControls,
  MAPPING_VERSION,
  resolveFramework,
} from '@crosswalk/controls';
import { z } from 'zod';
import { atField } from '../errors.js';
import { bearer, responses } from '../schemas.js';
import { assertFramework, scopeOf } from '../scope.js';
import { feature, PROTECTED } from './feature.js';

const controlSchema = z
  .looseObject({
    framework: z.string(),
    id: z.string(),
    title: z.string(),
    group: z.string(),
    kinds: z.array(z.string()).describe('Evidence kinds indexed under this control; empty = manual evidence'),
  })
  .describe('Control');

const frameworkSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  primary: z.boolean().describe('Evidence is indexed against it (2013 ids are translated to 2022)'),
  controls: z.array(controlSchema),
});

/**
 * The reference data behind the index, for any valid key: the control catalogues with the evidence kinds each
 * control is evidenced by, and the SOC 2 <-> ISO 27001:2022 crosswalk. A key limited to some frameworks sees
 * those catalogues only (403 for another).
 */
export const catalogPlugin = feature('crosswalk-catalog', PROTECTED, async (app) => {
  app.get(
    '/controls',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Control catalogues and the evidence kinds mapped to each control',
        security: bearer,
        querystring: z
          .object({
            framework: z
              .string()
              .max(50)
              .optional()
              .describe('One framework (id or alias); every framework the key may read when omitted'),
          })
          .strict(),
        response: responses(
          { 200: z.object({ mappingVersion: z.string(), frameworks: z.array(frameworkSchema) }) },
          [400, 401, 403],
        ),
      },
    },
    async (request) => {
      const scope = scopeOf(request.apiKey);
      let chosen: FrameworkId[];
      if (request.query.framework !== undefined) {
        const name = request.query.framework;
        const framework = atField('query.framework', () => resolveFramework(name));
        assertFramework(scope, framework);
        chosen = [framework];
      } else {
        chosen = frameworks.map((f) => f.id).filter((id) => !scope?.frameworks || scope.frameworks.has(id));
      }
      return {
        mappingVersion: MAPPING_VERSION,
        frameworks: chosen.map((id) => {
          const framework = frameworks.find((f) => f.id === id)!;
          return {
            id,
            name: framework.name,
            version: framework.version,
            primary: framework.primary,
            controls: listControls(id).map((control) => ({
              ...control,
              kinds: [...kindsFor(id, control.id)],
            })),
          };
        }),
      };
    },
  );

  app.get(
    '/crosswalk',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The SOC 2 <-> ISO/IEC 27001:2022 crosswalk, its source and confidence',
        security: bearer,
        response: responses(
          {
            200: z.object({
              mappingVersion: z.string(),
              source: z.record(z.string(), z.unknown()),
              pairs: z.array(
                z.looseObject({
                  soc2: z.string(),
                  iso: z.string(),
                  confidence: z.enum(['high', 'medium', 'low']),
                  supportCount: z.number(),
                  sources: z.array(z.string()),
                }),
              ),
            }),
          },
          [401, 403],
        ),
      },
    },
    async () => ({ mappingVersion: MAPPING_VERSION, source: crosswalkSource, pairs: crosswalkPairs() }),
  );
});
