import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/** The API docs page's Content-Security-Policy (the console's, plus inline styles and data: images). */
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

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
            session: {
              type: 'apiKey',
              in: 'cookie',
              name: 'cw_session',
              description:
                'The console: POST /v1/session exchanges an API key for this cookie; it stands for that key on ' +
                'every route a Bearer key opens, and a write made with it needs the x-csrf-token header',
            },
          },
        },
        tags: [
          { name: 'connectors', description: 'Connector configuration and collection (admin, operator)' },
          { name: 'evidence', description: 'Evidence records and the control catalogue (auditor and up)' },
          {
            name: 'webhooks',
            description: "Deliveries from source systems, signed with the sender's scheme",
          },
          {
            name: 'session',
            description: 'Console login: an HttpOnly session cookie in place of the API key',
          },
          { name: 'probes', description: 'Liveness, readiness and metrics (no authentication)' },
        ],
      },
      transform: createJsonSchemaTransform({ skipList: ['/docs', '/docs/*'] }),
      transformObject: jsonSchemaTransformObject,
    });
    // Swagger UI loads its own scripts and styles from /docs/static (no inline script), but sets inline styles
    // and draws its icons as data: images: its pages get that much more than the console's CSP, and no more.
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
  },
  { name: 'crosswalk-docs', fastify: '5.x' },
);
