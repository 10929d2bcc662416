import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CrosswalkError } from '@crosswalk/core';
import { parseDocument } from 'yaml';
import { parseRegister, type Register } from './schema.js';

/** Parses register text (YAML, of which JSON is a part); a syntax error names the file and line. */
export function parseRegisterText(text: string, where: string): Register {
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = error.linePos?.[0]?.line;
    throw new CrosswalkError(
      'CW_CONFIG_INVALID',
      `${where}${line ? `:${line}` : ''}: not valid YAML: ${error.message.split('\n')[0]}`,
      { where, issues: [{ path: where, message: error.message.split('\n')[0]! }] },
    );
  }
  return parseRegister(document.toJS(), where);
}

export async function loadRegisterFile(file: string): Promise<Register> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CrosswalkError('CW_CONFIG_INVALID', `cannot read the register file ${file}`, { where: file });
  }
  return parseRegisterText(text, file);
}

const STARTER = new URL('./starter.yaml', import.meta.url);

/** The register shipped with the product (src/register/starter.yaml). */
export function starterRegister(): Register {
  return parseRegisterText(readFileSync(STARTER, 'utf8'), 'starter register');
}
