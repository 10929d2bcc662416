/**
 * What a verification reports: the checks, one failure, the capped list of them, and reading a zip entry so that
 * a read that fails becomes a `zip` failure instead of stopping the verification.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export type VerifyCheck =
  | 'zip'
  | 'manifest'
  | 'signature'
  | 'fingerprint'
  | 'sha256'
  | 'size'
  | 'missing'
  | 'extra'
  | 'duplicate'
  | 'record'
  | 'population'
  | 'run-chain'
  | 'completeness';

export interface VerifyFailure {
  /** The file the failure is about, when it is about one. */
  file?: string;
  check: VerifyCheck;
  message: string;
}

/** The failures a verification found, at most `max` listed per check and the rest counted in one line. */
export class Failures {
  private readonly items: VerifyFailure[] = [];
  private readonly perCheck = new Map<VerifyCheck, number>();
  count = 0;

  constructor(private readonly max: number) {}

  add(failure: VerifyFailure): void {
    this.count++;
    const n = (this.perCheck.get(failure.check) ?? 0) + 1;
    this.perCheck.set(failure.check, n);
    if (n <= this.max) this.items.push(failure);
  }

  list(): VerifyFailure[] {
    const more = [...this.perCheck].filter(([, n]) => n > this.max);
    return [
      ...this.items,
      ...more.map(([check, n]) => ({ check, message: `... and ${n - this.max} more ${check} failures` })),
    ];
  }
}

/** A zip entry read whole; a read that fails (a corrupt deflate stream, say) is a `zip` failure, not a throw. */
export async function readAll(
  stream: Readable,
  name: string,
  failures: Failures,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (error) {
    failures.add({
      file: name,
      check: 'zip',
      message: `${name} cannot be read: ${(error as Error).message}`,
    });
    return undefined;
  }
  return Buffer.concat(chunks);
}

export async function hashEntry(
  stream: Readable,
  name: string,
  keep: boolean,
  failures: Failures,
): Promise<{ sha256: string; size: number; bytes?: Buffer } | undefined> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (keep) chunks.push(chunk);
    }
  } catch (error) {
    failures.add({
      file: name,
      check: 'zip',
      message: `${name} cannot be read: ${(error as Error).message}`,
    });
    return undefined;
  }
  return { sha256: hash.digest('hex'), size, ...(keep ? { bytes: Buffer.concat(chunks) } : {}) };
}
