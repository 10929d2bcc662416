import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document, generated from the routes' zod schemas, at `/docs/json` (and the UI at `/docs`).
 * Registered before the routes (not encapsulated) so @fastify/swagger's onRoute hook sees every one of them.
 */
export const docsPlugin = fp<{ version: string }>(
  async (app, { version }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Crosswalk API',
          description:
            'Collect compliance evidence once; serve it to SOC 2 and ISO/IEC 27001:2022 auditors. ' +
            'Errors are `{ error: { code, message, where?, issues? } }` with the codes of docs/errors.md.',
          version,
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'An API key: cwk_<id>_<secret>' },
          },
        },
        tags: [
          { name: 'connectors', description: 'Connector configuration and collection (admin, operator)' },
          { name: 'evidence', description: 'Evidence records and the control catalogue (auditor and up)' },
          {
            name: 'webhooks',
            description: "Deliveries from source systems, signed with the sender's scheme",
          },
          { name: 'probes', description: 'Liveness, readiness and metrics (no authentication)' },
        ],
      },
      transform: createJsonSchemaTransform({ skipList: ['/docs', '/docs/*'] }),
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'crosswalk-docs', fastify: '5.x' },
);
