import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mapOrdered } from '@crosswalk/locker';
import yauzl from 'yauzl';
import { Sink, Spool } from '../src/sink.js';
import { ZipWriter } from '../src/zip/writer.js';

/** Every entry of a zip, name -> bytes (tests only: the bundles here are small). */
export async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (error, z) => (error || !z ? reject(error) : resolve(z))),
  );
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
        stream.on('error', reject);
      });
    });
    zip.readEntry();
  });
  return entries;
}

/** Writes `entries` (in order) as a zip at `file`, with the same writer the export uses. */
export async function writeZip(file: string, entries: Iterable<[string, Buffer]>, level = 6): Promise<void> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'cw-zip-'));
  try {
    const out = createWriteStream(file);
    const sink = new Sink(out);
    const zip = new ZipWriter(
      sink,
      await Spool.create(path.join(tmp, 'cd')),
      new Date('2026-03-01T00:00:00Z'),
      undefined,
      level,
    );
    // Compress up to 16 ahead, as the export does, so many small entries do not wait on zlib one by one.
    const compressed = mapOrdered(
      (async function* () {
        yield* entries;
      })(),
      16,
      async ([name, bytes]) => ({ name, bytes, compressed: await zip.compress(bytes) }),
    );
    for await (const entry of compressed)
      await zip.addBuffer(entry.name, entry.bytes, { compressed: entry.compressed });
    await zip.finish();
    await sink.end();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Copies a zip through `change`, which may replace entries (return bytes), drop them (null) or add some. */
export async function repack(
  from: string,
  to: string,
  change: (entries: Map<string, Buffer>) => void | Promise<void>,
): Promise<void> {
  const entries = await readZip(from);
  await change(entries);
  await writeZip(to, entries);
}

/**
 * A zip with one entry whose name is `unsafe` (e.g. `../evil.txt`): written under a same-length safe name, then
 * renamed in place in both headers, since no honest writer (ours included) will write such a name.
 */
export async function zipWithName(file: string, unsafe: string): Promise<void> {
  const placeholder = unsafe.replace(/[^A-Za-z0-9]/g, 'x');
  await writeZip(file, [
    ['README.txt', Buffer.from('hello')],
    [placeholder, Buffer.from('owned')],
  ]);
  const bytes = await readFile(file);
  const from = Buffer.from(placeholder);
  const to = Buffer.from(unsafe);
  let at = bytes.indexOf(from);
  while (at >= 0) {
    to.copy(bytes, at);
    at = bytes.indexOf(from, at + from.length);
  }
  await writeFile(file, bytes);
}
