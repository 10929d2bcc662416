import { randomBytes } from 'node:crypto';
import { CrosswalkError, sha256Hex, zodIssues } from '@crosswalk/core';
import { z } from 'zod';
import type { Frequency } from './register/schema.js';

/**
 * Reproducible samples. The method, written into every output so an auditor can redo it with `sha256sum` and
 * `sort`: for each item of the population, compute the SHA-256 (lowercase hex) of the UTF-8 text
 * `<seed>` + "\n" + `<evidence id>`; order the items by that digest; the sample is the first `size` of them. This is
 * a seeded random permutation (SHA-256 as the keyed generator): the same seed and population give the same sample
 * everywhere, another seed another sample, and no item's place depends on any other's, so adding an item to the
 * population moves no other item's rank. The population's hash is pinned next to it.
 */
export const SAMPLE_METHOD =
  'rank every population item by SHA-256(seed + "\\n" + evidence id), lowercase hex, ascending; take the first ' +
  '`size`. Size from the table: periodic controls by stated frequency, per-event controls by population size.';

const sizeRule = z
  .object({
    /** Populations up to this many items (inclusive); null = any size. */
    upTo: z.number().int().positive().nullable(),
    /** Test every item. */
    all: z.literal(true).optional(),
    size: z.number().int().positive().optional(),
    /** A share of the population, rounded up. */
    percent: z.number().positive().max(100).optional(),
  })
  .strict()
  .refine((r) => [r.all, r.size, r.percent].filter((v) => v !== undefined).length === 1, {
    message: 'each rule has exactly one of all, size, percent',
  });

export const sampleTableSchema = z
  .object({
    name: z.string().min(1),
    byFrequency: z
      .object({
        annually: z.number().int().positive(),
        quarterly: z.number().int().positive(),
        monthly: z.number().int().positive(),
        weekly: z.number().int().positive(),
        daily: z.number().int().positive(),
      })
      .strict(),
    byPopulation: z.array(sizeRule).min(1),
  })
  .strict();

export type SampleTable = z.infer<typeof sampleTableSchema>;

/**
 * The usual practice table (shared AUDIT.md, after the AICPA Audit Sampling Guide): by frequency annual 1,
 * quarterly 2, monthly 2, weekly 5, daily 20 (the lower end of each range); per-event populations of up to 5 tested
 * whole, 6-50 -> 5, 51-250 -> 10%, above -> 25. An audit firm gives its own with --sample-table.
 */
export const DEFAULT_SAMPLE_TABLE: SampleTable = {
  name: 'common practice (AICPA Audit Sampling Guide derived)',
  byFrequency: { annually: 1, quarterly: 2, monthly: 2, weekly: 5, daily: 20 },
  byPopulation: [
    { upTo: 5, all: true },
    { upTo: 50, size: 5 },
    { upTo: 250, percent: 10 },
    { upTo: null, size: 25 },
  ],
};

export function parseSampleTable(input: unknown, where: string): SampleTable {
  const parsed = sampleTableSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error, [where]);
  throw new CrosswalkError('CW_INPUT_INVALID', `${issues[0]!.path}: ${issues[0]!.message}`, {
    where,
    issues,
  });
}

export function sampleSize(table: SampleTable, frequency: Frequency, population: number): number {
  if (population === 0) return 0;
  if (frequency !== 'event') return Math.min(table.byFrequency[frequency], population);
  const rule =
    table.byPopulation.find((r) => r.upTo === null || population <= r.upTo) ?? table.byPopulation.at(-1)!;
  const size = rule.all ? population : (rule.size ?? Math.ceil((population * rule.percent!) / 100));
  return Math.min(size, population);
}

const SEED = /^[A-Za-z0-9._:-]{1,128}$/;

export function checkSeed(seed: string, where: string): string {
  if (!SEED.test(seed)) {
    throw new CrosswalkError(
      'CW_INPUT_INVALID',
      `${where}: a seed is 1-128 letters, digits, ".", "_", ":" or "-"`,
      {
        where,
      },
    );
  }
  return seed;
}

/** A fresh seed when the auditor gives none; it is printed with the sample, so the draw can be repeated. */
export function newSeed(): string {
  return randomBytes(8).toString('hex');
}

/** SHA-256 of `<id> <sha256>\n` per item, in population order: pins exactly which records were sampled from. */
export function populationHash(items: readonly { id: string; sha256: string }[]): string {
  return sha256Hex(items.map((i) => `${i.id} ${i.sha256}\n`).join(''));
}

export interface Drawn {
  id: string;
  rank: number;
  key: string;
}

export function drawSample(ids: readonly string[], seed: string, size: number): Drawn[] {
  return ids
    .map((id) => ({ id, key: sha256Hex(`${seed}\n${id}`) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, size)
    .map((d, i) => ({ ...d, rank: i + 1 }));
}

/**
 * The largest sample `table` can ask of a population of any size at this frequency, or Infinity when a rule grows
 * with the population without bound (a percentage or "all" with no upper limit; the last rule also applies past
 * its limit).
 */
export function largestSampleSize(table: SampleTable, frequency: Frequency): number {
  if (frequency !== 'event') return table.byFrequency[frequency];
  let largest = 0;
  table.byPopulation.forEach((rule, i) => {
    const upper = rule.upTo === null || i === table.byPopulation.length - 1 ? Infinity : rule.upTo;
    const size = rule.all ? upper : (rule.size ?? Math.ceil((upper * rule.percent!) / 100));
    largest = Math.max(largest, size);
  });
  return largest;
}

/**
 * drawSample over a population that streams past: keeps only the items with the smallest rank keys, as many as
 * the table can ever ask for (a max-heap on the key), so the draw is exactly drawSample's for the same seed and
 * population while memory stays at the sample's size. A table whose sizes grow without bound keeps every key.
 */
export class SampleSelector<T extends { id: string }> {
  private readonly heap: { key: string; item: T }[] = [];
  private readonly bound: number;
  private count = 0;

  constructor(
    private readonly seed: string,
    private readonly table: SampleTable,
    private readonly frequency: Frequency,
  ) {
    this.bound = largestSampleSize(table, frequency);
  }

  add(item: T): void {
    this.count++;
    if (this.bound === 0) return;
    const key = sha256Hex(`${this.seed}\n${item.id}`);
    const heap = this.heap;
    if (heap.length < this.bound) {
      heap.push({ key, item });
      this.up(heap.length - 1);
    } else if (key < heap[0]!.key) {
      heap[0] = { key, item };
      this.down(0);
    }
  }

  /** The sample of the population seen: its size from the table, ranked by key. */
  finish(): { size: number; items: (Drawn & { item: T })[] } {
    const size = sampleSize(this.table, this.frequency, this.count);
    const items = [...this.heap]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, size)
      .map((d, i) => ({ id: d.item.id, key: d.key, rank: i + 1, item: d.item }));
    return { size, items };
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.key >= heap[i]!.key) return;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < heap.length && heap[left]!.key > heap[largest]!.key) largest = left;
      if (right < heap.length && heap[right]!.key > heap[largest]!.key) largest = right;
      if (largest === i) return;
      [heap[largest], heap[i]] = [heap[i]!, heap[largest]!];
      i = largest;
    }
  }
}
