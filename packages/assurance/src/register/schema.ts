import { getControl } from '@crosswalk/controls';
import { CrosswalkError, evidenceKindSchema, type FieldIssue } from '@crosswalk/core';
import { z } from 'zod';
import { builtinTests } from '../tests/builtin.js';
import { compileExpression } from '../tests/expression.js';

/**
 * The control register: the organisation's own controls, each with an owner, a stated frequency, the evidence it
 * rests on, the test an item must pass and its framework mappings. It is data (YAML kept in git, or sent to the
 * API); tests are named built-ins with parameters or CEL expressions, so a register can never run code.
 */

export const FREQUENCIES = ['event', 'daily', 'weekly', 'monthly', 'quarterly', 'annually'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

const idList = z.array(z.string().min(1)).default([]);
const frameworkIds = z.object({ 'soc2-2017': idList, 'iso27001-2022': idList }).partial().strict();

const evidenceSchema = z
  .object({
    kind: evidenceKindSchema,
    /** Narrowing: only records whose field is one of these values. Absent = every record of the kind. */
    where: z
      .object({
        connector: z.array(z.string().min(1)).min(1),
        repository: z.array(z.string().min(1)).min(1),
        branch: z.array(z.string().min(1)).min(1),
        project: z.array(z.string().min(1)).min(1),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();

const testSchema = z.union([
  z
    .object({
      builtin: z.string().min(1),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
  z
    .object({
      /** A CEL expression over one record's facts that is true when the item passes. */
      expression: z.string().min(1).max(4000),
      /** What the expression checks, in words: shown as the failed fact of an exception. */
      describe: z.string().min(1),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
]);

const controlSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64'),
    title: z.string().min(1),
    description: z.string().min(1),
    owner: z.string().min(1),
    frequency: z.enum(FREQUENCIES),
    evidence: z.array(evidenceSchema).min(1),
    test: testSchema,
    /** Changes to the mappings the crosswalk gives through the evidence kinds. */
    mappings: z.object({ add: frameworkIds.optional(), remove: frameworkIds.optional() }).strict().optional(),
  })
  .strict();

const registerSchema = z
  .object({
    version: z.literal(1),
    controls: z.array(controlSchema).min(1),
    /** Statement of Applicability decisions the team made; the product never invents a justification. */
    soa: z
      .object({
        excluded: z
          .array(z.object({ control: z.string().min(1), justification: z.string().min(10) }).strict())
          .default([]),
        /** Annex A controls the team implements outside Crosswalk (policies, physical security), with what does. */
        implementedElsewhere: z
          .array(z.object({ control: z.string().min(1), implementedBy: z.string().min(3) }).strict())
          .default([]),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Register = z.infer<typeof registerSchema>;
export type ControlEntry = z.infer<typeof controlSchema>;

/**
 * Validates a register (already parsed from YAML or JSON) whole and returns it, or throws CW_CONFIG_INVALID with
 * every fault, each naming the control by id and the field (`controls.CHG-01.test.params.minApprovals`). Nothing
 * is returned half-valid: a caller applies all of it or none.
 */
export function parseRegister(input: unknown, where = 'register'): Register {
  const result = registerSchema.safeParse(input);
  const issues: FieldIssue[] = [];
  const rawControls = Array.isArray((input as { controls?: unknown })?.controls)
    ? ((input as { controls: unknown[] }).controls as unknown[])
    : [];
  const nameOf = (index: number): string => {
    const id = (rawControls[index] as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' && id.length > 0 ? id : `#${index + 1}`;
  };
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String);
      if (path[0] === 'controls' && path[1] !== undefined && /^\d+$/.test(path[1])) {
        path.splice(1, 1, nameOf(Number(path[1])));
      }
      issues.push({ path: path.join('.') || '(root)', message: issue.message });
    }
    throw invalid(where, issues);
  }
  const register = result.data;
  const seen = new Set<string>();
  for (const control of register.controls) {
    const at = `controls.${control.id}`;
    if (seen.has(control.id))
      issues.push({ path: `${at}.id`, message: `duplicate control id ${control.id}` });
    seen.add(control.id);
    checkTest(control, at, issues);
    for (const [action, lists] of Object.entries(control.mappings ?? {})) {
      for (const [framework, ids] of Object.entries(lists ?? {})) {
        ids.forEach((id, i) => {
          try {
            getControl(framework, id);
          } catch (error) {
            issues.push({ path: `${at}.mappings.${action}.${framework}.${i}`, message: messageOf(error) });
          }
        });
      }
    }
  }
  for (const [list, entries] of Object.entries(register.soa ?? {})) {
    entries.forEach((entry, i) => {
      const path = `soa.${list}.${i}.control`;
      try {
        const control = getControl('iso27001-2022', entry.control);
        if (control.part !== 'annexA')
          issues.push({ path, message: `${control.id} is a clause, not an Annex A control` });
      } catch (error) {
        issues.push({ path, message: messageOf(error) });
      }
    });
  }
  if (issues.length > 0) throw invalid(where, issues);
  return register;
}

function checkTest(control: ControlEntry, at: string, issues: FieldIssue[]): void {
  const test = control.test;
  if ('builtin' in test) {
    const builtin = builtinTests[test.builtin];
    if (!builtin) {
      issues.push({
        path: `${at}.test.builtin`,
        message: `unknown test "${test.builtin}"; built-in tests: ${Object.keys(builtinTests).join(', ')}`,
      });
      return;
    }
    const params = builtin.params.safeParse(test.params);
    if (!params.success) {
      for (const issue of params.error.issues) {
        issues.push({
          path: [`${at}.test.params`, ...issue.path.map(String)].join('.'),
          message: issue.message,
        });
      }
    }
    control.evidence.forEach((evidence, i) => {
      if (!builtin.kinds.includes(evidence.kind)) {
        issues.push({
          path: `${at}.evidence.${i}.kind`,
          message: `${test.builtin} reads ${builtin.kinds.join(' or ')}, not ${evidence.kind}`,
        });
      }
    });
    return;
  }
  try {
    compileExpression(test.expression);
  } catch (error) {
    issues.push({ path: `${at}.test.expression`, message: messageOf(error) });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function invalid(where: string, issues: FieldIssue[]): CrosswalkError {
  const first = issues[0]!;
  return new CrosswalkError(
    'CW_CONFIG_INVALID',
    `${where}: ${issues.length} problem${issues.length === 1 ? '' : 's'}, first ${first.path}: ${first.message}`,
    { where, issues },
  );
}
