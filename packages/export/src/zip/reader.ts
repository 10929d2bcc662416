/**
 * Reading a zip (what an export bundle is) entry by entry from its central directory, with entry names that
 * could escape an extraction folder refused, and the file read in 1 MiB blocks through one descriptor.
 */
import { read } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable as NodeReadable, type Readable } from 'node:stream';
import { CrosswalkError } from '@crosswalk/core';
import yauzl from 'yauzl';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export type Opener = () => Promise<Readable>;

/**
 * Reads the zip's central directory entry by entry, refusing names that could escape the extraction folder,
 * and calls `visit` with a function that opens the entry's data. Not a zip: CW_BUNDLE_INVALID.
 */
export async function eachEntry(
  zipPath: string,
  visit: (entry: yauzl.Entry, name: string, open: Opener) => Promise<void>,
  /** Entries visited at once, so reading, inflating and hashing overlap. */
  concurrency = 1,
): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(zipPath);
  } catch (cause) {
    throw new CrosswalkError(
      'CW_BUNDLE_INVALID',
      `cannot read ${zipPath}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        where: zipPath,
        cause,
      },
    );
  }
  if (!info.isFile())
    throw new CrosswalkError('CW_BUNDLE_INVALID', `${zipPath} is not a file`, { where: zipPath });
  const handle = await open(zipPath, 'r');
  const reader = new BlockReader(handle.fd);
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.fromRandomAccessReader(
        reader,
        info.size,
        {
          lazyEntries: true,
          autoClose: false,
          decodeStrings: false,
          validateEntrySizes: true,
          strictFileNames: false,
        },
        (error, zipfile) => {
          if (error || !zipfile) {
            reject(
              new CrosswalkError(
                'CW_BUNDLE_INVALID',
                `${zipPath} is not a zip file (${error?.message ?? 'unreadable'})`,
                {
                  where: zipPath,
                  cause: error,
                },
              ),
            );
          } else resolve(zipfile);
        },
      );
    });
  } catch (error) {
    await handle.close();
    throw error;
  }
  const inFlight = new Set<Promise<void>>();
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          cleanup();
          resolve(e);
        };
        const onEnd = () => {
          cleanup();
          resolve(null);
        };
        const onError = (error: Error) => {
          cleanup();
          reject(
            new CrosswalkError('CW_BUNDLE_INVALID', `${zipPath} is not a valid zip file: ${error.message}`, {
              where: zipPath,
              cause: error,
            }),
          );
        };
        const cleanup = () => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) break;
      const name = checkEntryName(entry, zipPath);
      const visiting = visit(
        entry,
        name,
        () =>
          new Promise<Readable>((resolve, reject) =>
            zip.openReadStream(entry, (error, stream) =>
              error || !stream ? reject(error ?? new Error('no stream')) : resolve(stream),
            ),
          ),
      );
      inFlight.add(visiting);
      const settle = () => inFlight.delete(visiting);
      visiting.then(settle, settle);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
    zip.close();
    await handle.close();
  }
}

/** The entry's name, or CW_BUNDLE_UNSAFE_PATH when unpacking it could write outside the target folder. */
function checkEntryName(entry: yauzl.Entry, zipPath: string): string {
  const raw = entry.fileName as unknown as Buffer | string;
  const name = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  const unix = entry.versionMadeBy >> 8 === 3;
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  let reason: string | undefined;
  if (name.length === 0) reason = 'an empty name';
  else if (name.includes('\0')) reason = 'a NUL byte in the name';
  else if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) reason = 'an absolute path';
  else if (name.includes('\\')) reason = 'a backslash (a path separator on Windows)';
  else if (name.split('/').includes('..')) reason = 'a ".." segment';
  else if (unix && mode === S_IFLNK) reason = 'a symbolic link';
  if (reason) {
    throw new CrosswalkError(
      'CW_BUNDLE_UNSAFE_PATH',
      `${zipPath} holds the entry "${name}", ${reason}: unpacking it could write outside its folder; the bundle is refused`,
      { where: name },
    );
  }
  return name;
}

/**
 * yauzl reads the central directory a few dozen bytes at a time; served from 1 MiB blocks instead of one file
 * read each, walking 100,000 entries takes a fraction of the time. Entry data is streamed from the same
 * descriptor (positional reads, so concurrent streams do not interfere).
 */
class BlockReader extends yauzl.RandomAccessReader {
  private block: { start: number; bytes: Buffer } | undefined;

  constructor(private readonly fd: number) {
    super();
  }

  /** Positional reads on the shared descriptor; destroying the stream never closes it (fs streams would). */
  override _readStreamForRange(start: number, end: number): Readable {
    const fd = this.fd;
    let position = start;
    return new NodeReadable({
      highWaterMark: 256 * 1024,
      read(size) {
        const want = Math.min(size, end - position);
        if (want <= 0) {
          this.push(null);
          return;
        }
        const chunk = Buffer.allocUnsafe(want);
        read(fd, chunk, 0, want, position, (error, count) => {
          if (error) {
            this.destroy(error);
            return;
          }
          if (count === 0) {
            this.push(null);
            return;
          }
          position += count;
          this.push(chunk.subarray(0, count));
        });
      },
    });
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (error: Error | null) => void,
  ): void {
    const serve = (): boolean => {
      const block = this.block;
      if (!block || position < block.start || position + length > block.start + block.bytes.length) {
        return false;
      }
      block.bytes.copy(buffer, offset, position - block.start, position - block.start + length);
      return true;
    };
    if (serve()) {
      setImmediate(callback, null);
      return;
    }
    const size = Math.max(length, 2 ** 20);
    const bytes = Buffer.allocUnsafe(size);
    read(this.fd, bytes, 0, size, position, (error, count) => {
      if (error) {
        callback(error);
        return;
      }
      this.block = { start: position, bytes: bytes.subarray(0, count) };
      callback(serve() ? null : new Error(`unexpected end of file at ${position + count}`));
    });
  }

  override close(callback: (error: Error | null) => void): void {
    setImmediate(callback, null);
  }
}
