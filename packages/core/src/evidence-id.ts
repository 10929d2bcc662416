import { canonicalSha256 } from './canonical.js';
import { type EvidenceKind, isEvidenceKind } from './kinds.js';
import { TIMESTAMP_PATTERN } from './time.js';

/**
 * Evidence ids are deterministic and self-locating: `<kind>~<occurredAt, compact>~<digest>`, e.g.
 * `github.pull_request.approval~20260310T142205123Z~5b62434a9bbd452835c3bcc1ec2af10b`.
 *
 * - Deterministic: the same item collected twice (by two workers, or a rerun) gets the same id, so the
 *   write-once locker turns the second write into a no-op instead of a duplicate.
 * - Self-locating: kind and occurredAt are the locker key's index, so `GET /v1/evidence/:id` finds the object
 *   with one GET and no id index to keep consistent; an auditor reads what and when from the id itself.
 * - The digest is 128 bits of SHA-256 over canonical JSON `[kind, system, instance, ref, occurredAt]`.
 */
export const EVIDENCE_ID_PATTERN = /^([a-z][a-z0-9_.]*)~(\d{8}T\d{9}Z)~([0-9a-f]{32})$/;

export function evidenceDigest(
  kind: EvidenceKind,
  source: { system: string; instance: string; ref: string },
  occurredAt: string,
): string {
  return canonicalSha256([kind, source.system, source.instance, source.ref, occurredAt]).slice(0, 32);
}

export function evidenceId(
  kind: EvidenceKind,
  source: { system: string; instance: string; ref: string },
  occurredAt: string,
): string {
  return formatEvidenceId(kind, occurredAt, evidenceDigest(kind, source, occurredAt));
}

export function formatEvidenceId(kind: EvidenceKind, occurredAt: string, digest: string): string {
  return `${kind}~${occurredAt.replace(/[-:.]/g, '')}~${digest}`;
}

/** The parts of an evidence id, or undefined when the text is not one. */
export function parseEvidenceId(
  id: string,
): { kind: EvidenceKind; occurredAt: string; digest: string } | undefined {
  const match = EVIDENCE_ID_PATTERN.exec(id);
  if (!match) return undefined;
  const [, kind, compact, digest] = match as unknown as [string, string, string, string];
  const c = compact;
  const occurredAt = `${c.slice(0, 4)}-${c.slice(4, 6)}-${c.slice(6, 8)}T${c.slice(9, 11)}:${c.slice(11, 13)}:${c.slice(13, 15)}.${c.slice(15, 18)}Z`;
  if (!isEvidenceKind(kind) || !TIMESTAMP_PATTERN.test(occurredAt)) return undefined;
  return { kind, occurredAt, digest };
}
