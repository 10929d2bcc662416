import {
  addFlag,
  addFlagAnswer,
  controlMappings,
  findRegisterControl,
  flagAnswerInputSchema,
  flagAnswerSchema,
  flagInputSchema,
  flagSchema,
  listFlags,
  registerFor,
} from '@crosswalk/assurance';
import { parseInstant } from '@crosswalk/core';
import { z } from 'zod';
import { assertControlWithin, outsideScope } from '../control-scope.js';
import { bearer, responses } from '../schemas.js';
import { feature, PROTECTED } from './feature.js';

const controlId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a register control id');
const flagId = z.uuid('a flag id (UUID)');

const threadSchema = flagSchema.extend({
  answers: z.array(flagAnswerSchema),
  status: z.enum(['open', 'answered']),
});

/**
 * The auditor's questions (packages/assurance/src/flags.ts): auditors (and up) flag an item of a control they may
 * test, operators (and up) answer, everyone lists the threads their key may see. Write-once records; nothing here
 * edits or deletes one.
 */
export const flagsPlugin = feature('crosswalk-flags', PROTECTED, async (app) => {
  const { runtime } = app;

  app.post(
    '/controls/:id/flags',
    {
      schema: {
        tags: ['controls'],
        summary: 'Flag an item (a sampled item or an exception) of a control with a comment (write-once)',
        description:
          'Auditor and up. A scoped key flags only controls that map to its frameworks, inside its period; its ' +
          'flag carries its period when the body names no window.',
        security: bearer,
        params: z.object({ id: controlId }).strict(),
        body: flagInputSchema,
        response: responses({ 201: flagSchema }, [400, 401, 403, 503]),
      },
    },
    async (request, reply) => {
      const key = request.apiKey!;
      const { body } = request;
      // A scoped key's flag is about its audit period: without a window it takes the key's.
      const from = body.from ?? key.scope?.from ?? undefined;
      const to = body.to ?? key.scope?.to ?? undefined;
      const window = {
        from: from === undefined ? null : parseInstant(from, 'body.from'),
        to: to === undefined ? null : parseInstant(to, 'body.to'),
      };
      const { register } = await registerFor(runtime.locker, window.to ?? new Date().toISOString());
      const control = findRegisterControl(register, request.params.id, 'params.id');
      assertControlWithin(key.scope, window, controlMappings(control), {
        from: 'body.from',
        to: 'body.to',
        control: 'params.id',
      });
      const flag = await addFlag(
        runtime.locker,
        control.id,
        {
          item: body.item,
          comment: body.comment,
          ...(window.from === null ? {} : { from: window.from }),
          ...(window.to === null ? {} : { to: window.to }),
        },
        { by: `${key.name} (key:${key.id})` },
        'body',
      );
      reply.status(201);
      return flag;
    },
  );

  app.post(
    '/controls/:id/flags/:flagId/answers',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['controls'],
        summary:
          'Answer a flag with a remediation or a justification (write-once; the flag becomes answered)',
        security: bearer,
        params: z.object({ id: controlId, flagId }).strict(),
        body: flagAnswerInputSchema,
        response: responses({ 201: flagAnswerSchema }, [400, 401, 403, 404, 503]),
      },
    },
    async (request, reply) => {
      const key = request.apiKey!;
      const answer = await addFlagAnswer(
        runtime.locker,
        request.params.id,
        request.params.flagId,
        request.body,
        { by: `${key.name} (key:${key.id})` },
        { answer: 'body', flag: 'params.flagId' },
      );
      reply.status(201);
      return answer;
    },
  );

  app.get(
    '/flags',
    {
      schema: {
        tags: ['controls'],
        summary: 'The flags and their answers, oldest first; a scoped key sees those inside its scope',
        security: bearer,
        querystring: z
          .object({
            status: z.enum(['open', 'answered', 'all']).default('all'),
            control: controlId.optional(),
          })
          .strict(),
        response: responses({ 200: z.object({ flags: z.array(threadSchema) }) }, [400, 401, 503]),
      },
    },
    async (request) => {
      const { status, control } = request.query;
      const scope = request.apiKey?.scope ?? null;
      const threads = (await listFlags(runtime.locker, control === undefined ? {} : { control })).filter(
        (t) => status === 'all' || t.status === status,
      );
      if (!scope) return { flags: threads };
      // A scoped key sees a thread when its control (as the register stands now) maps to one of the key's
      // frameworks and the flag's window lies inside the key's period: never another audit's questions.
      const { register } = await registerFor(runtime.locker, new Date().toISOString());
      const byId = new Map(register.controls.map((c) => [c.id, c]));
      return {
        flags: threads.filter((t) => {
          const entry = byId.get(t.control);
          return entry !== undefined && outsideScope(scope, t, controlMappings(entry)) === null;
        }),
      };
    },
  );
});
