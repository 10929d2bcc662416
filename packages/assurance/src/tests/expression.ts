import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';

/**
 * The register's expression language: CEL (cel.dev), evaluated by @bufbuild/cel. An expression reads the facts of
 * one record (`payload`, `occurredAt`, `source`, `owner`, `actors`, `params`) and yields true (the item passes) or
 * false. CEL has no loops without bounds, no I/O and no way to reach JavaScript: a register can state a rule, never
 * run code.
 */
export type Predicate = (facts: Record<string, unknown>) => boolean;

const env = celEnv();

/** Parses and plans an expression once; throws a message naming the fault (for the register's error). */
export function compileExpression(text: string): Predicate {
  let program: ReturnType<typeof plan>;
  try {
    program = plan(env, parse(text));
  } catch (error) {
    throw new Error(`not a CEL expression: ${firstLine(error)}`);
  }
  return (facts) => {
    let result: unknown;
    try {
      result = program(facts as never);
    } catch (error) {
      throw new Error(`the expression failed on this item: ${firstLine(error)}`);
    }
    if (isCelError(result)) throw new Error(`the expression failed on this item: ${firstLine(result)}`);
    if (typeof result !== 'boolean') throw new Error('the expression must yield true or false');
    return result;
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
