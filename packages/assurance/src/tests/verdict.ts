import type { EvidenceRecord } from '@crosswalk/core';
import type { ControlEntry } from '../register/schema.js';
import { builtinTests, type Verdict } from './builtin.js';
import { compileExpression } from './expression.js';

/** The control's test as one function of a record. A test that cannot judge an item fails it, saying why. */
export function compileVerdict(control: ControlEntry): (record: EvidenceRecord) => Verdict {
  const test = control.test;
  if ('builtin' in test) {
    const builtin = builtinTests[test.builtin]!;
    const params = builtin.params.parse(test.params);
    return (record) => builtin.run(record, params);
  }
  const predicate = compileExpression(test.expression);
  return (record) => {
    const facts = {
      kind: record.kind,
      occurredAt: record.occurredAt,
      collectedAt: record.collectedAt,
      source: record.source,
      owner: record.owner,
      actors: record.actors,
      payload: record.payload,
      params: test.params,
    };
    try {
      const pass = predicate(facts);
      return { outcome: pass ? 'pass' : 'fail', failed: pass ? [] : [`not: ${test.describe}`], facts: {} };
    } catch (error) {
      return { outcome: 'fail', failed: [(error as Error).message], facts: {} };
    }
  };
}
