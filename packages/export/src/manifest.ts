import { z } from 'zod';

/**
 * manifest.json: the signed root of a bundle. It lists every file except evidence/ and runs/ (which can be
 * hundreds of thousands: they are listed with their SHA-256 in SHA256SUMS, which the manifest pins, so the
 * manifest stays small and the export's memory flat) and except manifest.json and manifest.sig themselves.
 * Each `files` entry is written on one line, so `sed` can turn the list into `sha256sum -c` input.
 */
export const MANIFEST_FORMAT = 'crosswalk-export/3';
/**
 * Older bundles are still verified, with the checks they allow: /1 was made before completeness was read from
 * the chain; /1 and /2 hold one copy of the rows per criterion (`controls/<framework>/<id>/population.csv`),
 * where /3 writes each kind's rows once (`populations/<kind>.csv`) and gives each criterion an index.
 */
export const MANIFEST_FORMATS = ['crosswalk-export/1', 'crosswalk-export/2', MANIFEST_FORMAT] as const;
/** The formats whose criteria each hold their own copy of the rows. */
export const COPIED_POPULATION_FORMATS: readonly string[] = ['crosswalk-export/1', 'crosswalk-export/2'];

export const FILE_NAMES = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  publicKey: 'public-key.pem',
  sums: 'SHA256SUMS',
  readme: 'README.html',
  populations: 'populations.csv',
  coverage: 'coverage.csv',
} as const;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const chainPointer = z
  .object({ sequence: z.number().int().positive(), key: z.string(), sha256: z.string() })
  .strict();

export const manifestSchema = z
  .object({
    format: z.enum(MANIFEST_FORMATS),
    exportId: z.string().min(1),
    generatedAt: timestamp,
    generator: z.object({ name: z.string(), version: z.string() }).strict(),
    mappingVersion: z.string(),
    period: z
      .object({
        from: timestamp,
        to: timestamp,
        membership: z.string(),
      })
      .strict(),
    scope: z
      .object({
        frameworks: z.array(z.string()).min(1),
        requestedControls: z.array(z.string()).nullable(),
        kinds: z.array(z.string()),
        /** /3: each kind some criterion rests on, its shared file (populations/<kind>.csv) and current rows. */
        populations: z
          .array(
            z
              .object({ kind: z.string(), file: z.string(), records: z.number().int().nonnegative() })
              .strict(),
          )
          .optional(),
        controls: z.array(
          z
            .object({
              framework: z.string(),
              id: z.string(),
              kinds: z.array(z.string()),
              /** /1, /2: controls/<framework>/<id>/population.csv, or null for a manual control. */
              population: z.string().nullable().optional(),
              /** /3: the shared files (one per kind) the criterion's population is made of; [] when manual. */
              populations: z.array(z.string()).optional(),
              /** /3: controls/<framework>/<id>/index.csv, naming those files; null for a manual control. */
              index: z.string().nullable().optional(),
              records: z.number().int().nonnegative(),
            })
            .strict(),
        ),
      })
      .strict(),
    counts: z
      .object({
        records: z.number().int().nonnegative(),
        byKind: z.record(z.string(), z.number().int().nonnegative()),
        evidenceBytes: z.number().int().nonnegative(),
        runs: z.number().int().nonnegative(),
        /** Every entry in the zip, manifest.json and manifest.sig included. */
        files: z.number().int().nonnegative(),
        /** Records whose own `controls.mappingVersion` differs from `mappingVersion`. */
        recordsUnderOtherMappings: z.number().int().nonnegative(),
      })
      .strict(),
    publicKey: z
      .object({
        file: z.literal(FILE_NAMES.publicKey),
        algorithm: z.literal('Ed25519'),
        fingerprint: sha256,
        fingerprintOf: z.string(),
      })
      .strict(),
    signature: z
      .object({ file: z.literal(FILE_NAMES.signature), algorithm: z.literal('Ed25519'), over: z.string() })
      .strict(),
    sums: z.object({ file: z.literal(FILE_NAMES.sums), covers: z.string() }).strict(),
    runChains: z.array(
      z
        .object({
          connectorId: z.string(),
          /** What `runs.verifyChain(connector, period)` said in the locker when the bundle was made. */
          lockerCheck: z
            .object({
              ok: z.boolean(),
              checked: z.number().int().nonnegative(),
              problems: z.array(
                z
                  .object({
                    sequence: z.number().int().optional(),
                    key: z.string().optional(),
                    message: z.string(),
                  })
                  .strict(),
              ),
            })
            .strict(),
          /** The chain's last link at export time (may be after the period). */
          head: chainPointer.nullable(),
          /**
           * The runs in the bundle: every sequence from the first run that started in the period to the last
           * (a run that started just before the period but claimed a sequence inside that range is included).
           */
          window: z
            .object({
              runs: z.number().int().nonnegative(),
              first: z.number().int().positive().nullable(),
              last: z.number().int().positive().nullable(),
              /** The `previous` pointer of the first run: where the chain came from before the period. */
              before: chainPointer.nullable(),
              /** Sequences in first..last whose manifest the locker could not produce. */
              missing: z.array(z.number().int().positive()),
            })
            .strict(),
          /**
           * Sequences of the other runs in the bundle: runs outside first..last whose manifests vouch for records
           * of the period (collected after it, or by a retry or recovery). Absent in crosswalk-export/1.
           */
          vouchers: z.array(z.number().int().positive()).optional(),
        })
        .strict(),
    ),
    /**
     * What the chain vouches for in the period and what the locker held besides (crosswalk-export/2; absent in /1).
     * `vouched` records are in the bundle; `unvouched` ones (no chained run lists them) were left out.
     */
    completeness: z
      .object({
        rule: z.string(),
        vouched: z.number().int().nonnegative(),
        unvouched: z
          .object({
            count: z.number().int().nonnegative(),
            /** The first 1,000 of them. */
            records: z.array(z.object({ id: z.string(), key: z.string() }).strict()),
          })
          .strict(),
      })
      .strict()
      .optional(),
    coverage: z
      .object({
        file: z.literal(FILE_NAMES.coverage),
        evaluatedUntil: timestamp,
        controls: z.number().int().nonnegative(),
        complete: z.number().int().nonnegative(),
        gaps: z.number().int().nonnegative(),
        noEvidence: z.number().int().nonnegative(),
        manual: z.number().int().nonnegative(),
      })
      .strict(),
    files: z.array(z.object({ path: z.string(), sha256, bytes: z.number().int().nonnegative() }).strict()),
  })
  .strict();

export type ExportManifest = z.infer<typeof manifestSchema>;

/**
 * Indented JSON in which each element of an array of flat objects (`files`, `scope.controls`) takes one line,
 * e.g. `    {"path":"SHA256SUMS","sha256":"...","bytes":123}`: readable, and greppable by line.
 */
export function serializeManifest(manifest: ExportManifest): Buffer {
  return Buffer.from(`${pretty(manifest, '')}\n`, 'utf8');
}

function isFlat(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (v) =>
        v === null || typeof v !== 'object' || (Array.isArray(v) && v.every((x) => typeof x !== 'object')),
    )
  );
}

function pretty(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.every(isFlat)
      ? value.map((item) => `${inner}${JSON.stringify(item)}`)
      : value.map((item) => `${inner}${pretty(item, inner)}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
