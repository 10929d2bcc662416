import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { promisify } from 'node:util';
import { crc32, createDeflateRaw, deflateRaw } from 'node:zlib';
import type { Sink, Spool } from '../sink.js';

/**
 * A streaming ZIP writer (PKWARE APPNOTE 6.3, deflate, ZIP64 where needed) whose memory does not grow with the
 * number of entries: each entry is written to the sink as soon as it is added (the caller awaits it, which is
 * the backpressure), and its central-directory record goes to a spool file instead of an in-memory list.
 *
 * Why not yazl or archiver: both keep every entry object until the archive ends (yazl also keeps each
 * addBuffer's compressed bytes reachable from its entry), so memory grows with the population. Reading and
 * verifying uses yauzl, an independent implementation, and the tests also run `unzip` on what this writes.
 */

const deflateRawAsync = promisify(deflateRaw);

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const DATA_DESCRIPTOR = 0x08074b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const EOCD = 0x06054b50;
const FLAG_DATA_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
/** Made by: Unix (3), spec 4.5; external attributes carry a regular file, mode 0644. */
const VERSION_MADE_BY = (3 << 8) | VERSION_ZIP64;
const REGULAR_FILE_0644 = ((0o100644 << 16) >>> 0) as number;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

export interface EntryDigest {
  sha256: string;
  size: number;
}

export interface ZipEntryInfo extends EntryDigest {
  name: string;
}

export class ZipWriter {
  private entries = 0;
  private readonly time: number;
  private readonly date: number;
  private finished = false;

  constructor(
    private readonly sink: Sink,
    /** Receives the central-directory records until finish(). */
    private readonly central: Spool,
    mtime: Date,
    private readonly onEntry: (entry: ZipEntryInfo) => Promise<void> = async () => {},
    private readonly level = 6,
  ) {
    const dos = dosDateTime(mtime);
    this.time = dos.time;
    this.date = dos.date;
  }

  /**
   * Compresses `data` off the main thread (zlib's pool); pass the result to addBuffer. At level 0 nothing is
   * compressed and the entry is stored.
   */
  compress(data: Buffer): Promise<Buffer> {
    return this.level === 0 ? Promise.resolve(data) : deflateRawAsync(data, { level: this.level });
  }

  /** Adds a whole file already in memory (compressed here unless `compressed` is given). */
  async addBuffer(
    name: string,
    data: Buffer,
    known: { compressed?: Buffer; sha256?: string } = {},
  ): Promise<EntryDigest> {
    const deflated = known.compressed ?? (await this.compress(data));
    // Deflate can only grow tiny or incompressible data: store it as it is then.
    const method = this.level === 0 || deflated.length >= data.length ? METHOD_STORE : METHOD_DEFLATE;
    const compressed = method === METHOD_STORE ? data : deflated;
    const sha256 = known.sha256 ?? createHash('sha256').update(data).digest('hex');
    const crc = crc32(data);
    const nameBytes = entryName(name);
    const offset = this.sink.bytes;
    const header = localHeader(nameBytes, {
      method,
      flags: FLAG_UTF8,
      time: this.time,
      date: this.date,
      crc,
      compressedSize: compressed.length,
      size: data.length,
    });
    await this.sink.write(header);
    await this.sink.write(compressed);
    await this.record(nameBytes, {
      method,
      flags: FLAG_UTF8,
      crc,
      compressedSize: compressed.length,
      size: data.length,
      offset,
    });
    const digest = { sha256, size: data.length };
    await this.onEntry({ name, ...digest });
    return digest;
  }

  /**
   * Adds a file whose content arrives in pieces (spooled CSVs, concatenations of them): streamed through
   * deflate with a data descriptor, never held whole. `expectedSize` only decides whether ZIP64 sizes are needed.
   */
  async addStream(name: string, source: AsyncIterable<Buffer>, expectedSize = 0): Promise<EntryDigest> {
    const nameBytes = entryName(name);
    const offset = this.sink.bytes;
    const zip64 = expectedSize > 0xf0000000;
    const flags = FLAG_UTF8 | FLAG_DATA_DESCRIPTOR;
    await this.sink.write(
      localHeader(nameBytes, {
        method: METHOD_DEFLATE,
        flags,
        time: this.time,
        date: this.date,
        crc: 0,
        compressedSize: 0,
        size: 0,
        zip64,
      }),
    );
    const sha = createHash('sha256');
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    const deflate = createDeflateRaw({ level: Math.max(this.level, 1) });
    const feed = (async () => {
      try {
        for await (const chunk of source) {
          if (deflate.destroyed) return;
          crc = crc32(chunk, crc);
          size += chunk.length;
          sha.update(chunk);
          if (!deflate.write(chunk)) await onceDrained(deflate);
        }
        deflate.end();
      } catch (error) {
        deflate.destroy(error as Error);
      }
    })();
    try {
      for await (const piece of deflate as AsyncIterable<Buffer>) {
        compressedSize += piece.length;
        await this.sink.write(piece);
      }
    } finally {
      deflate.destroy();
    }
    await feed;
    const big = zip64 || size >= MAX32 || compressedSize >= MAX32;
    const descriptor = Buffer.alloc(big ? 24 : 16);
    descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc, 4);
    if (big) {
      descriptor.writeBigUInt64LE(BigInt(compressedSize), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
    } else {
      descriptor.writeUInt32LE(compressedSize, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    await this.sink.write(descriptor);
    await this.record(nameBytes, { method: METHOD_DEFLATE, flags, crc, compressedSize, size, offset });
    const digest = { sha256: sha.digest('hex'), size };
    await this.onEntry({ name, ...digest });
    return digest;
  }

  /** Adds files read from disk one after the other as one entry (for example a header file and row spools). */
  addFiles(name: string, parts: (Buffer | { path: string; size: number })[]): Promise<EntryDigest> {
    const total = parts.reduce((sum, part) => sum + (Buffer.isBuffer(part) ? part.length : part.size), 0);
    async function* chunks(): AsyncIterable<Buffer> {
      for (const part of parts) {
        if (Buffer.isBuffer(part)) {
          yield part;
        } else if (part.size > 0) {
          yield* createReadStream(part.path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>;
        }
      }
    }
    return this.addStream(name, chunks(), total);
  }

  /** Writes the central directory (from its spool) and the end records; the sink is left open. */
  async finish(): Promise<{ entries: number }> {
    if (this.finished) throw new Error('zip already finished');
    this.finished = true;
    const spooled = await this.central.close();
    const cdOffset = this.sink.bytes;
    if (spooled.size > 0) {
      for await (const chunk of createReadStream(spooled.path, { highWaterMark: 256 * 1024 })) {
        await this.sink.write(chunk as Buffer);
      }
    }
    const cdSize = spooled.size;
    const needZip64 = this.entries >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
    if (needZip64) {
      const zip64Offset = this.sink.bytes;
      const record = Buffer.alloc(56);
      record.writeUInt32LE(ZIP64_EOCD, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(VERSION_MADE_BY, 12);
      record.writeUInt16LE(VERSION_ZIP64, 14);
      record.writeUInt32LE(0, 16);
      record.writeUInt32LE(0, 20);
      record.writeBigUInt64LE(BigInt(this.entries), 24);
      record.writeBigUInt64LE(BigInt(this.entries), 32);
      record.writeBigUInt64LE(BigInt(cdSize), 40);
      record.writeBigUInt64LE(BigInt(cdOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeUInt32LE(0, 4);
      locator.writeBigUInt64LE(BigInt(zip64Offset), 8);
      locator.writeUInt32LE(1, 16);
      await this.sink.write(Buffer.concat([record, locator]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(EOCD, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(Math.min(this.entries, MAX16), 8);
    end.writeUInt16LE(Math.min(this.entries, MAX16), 10);
    end.writeUInt32LE(Math.min(cdSize, MAX32), 12);
    end.writeUInt32LE(Math.min(cdOffset, MAX32), 16);
    end.writeUInt16LE(0, 20);
    await this.sink.write(end);
    return { entries: this.entries };
  }

  private async record(
    nameBytes: Buffer,
    entry: {
      method: number;
      flags: number;
      crc: number;
      compressedSize: number;
      size: number;
      offset: number;
    },
  ): Promise<void> {
    this.entries++;
    const extras: bigint[] = [];
    if (entry.size >= MAX32) extras.push(BigInt(entry.size));
    if (entry.compressedSize >= MAX32) extras.push(BigInt(entry.compressedSize));
    if (entry.offset >= MAX32) extras.push(BigInt(entry.offset));
    const extraLength = extras.length > 0 ? 4 + 8 * extras.length : 0;
    const header = Buffer.alloc(46 + nameBytes.length + extraLength);
    header.writeUInt32LE(CENTRAL_HEADER, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    header.writeUInt16LE(extras.length > 0 ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
    header.writeUInt16LE(entry.flags, 8);
    header.writeUInt16LE(entry.method, 10);
    header.writeUInt16LE(this.time, 12);
    header.writeUInt16LE(this.date, 14);
    header.writeUInt32LE(entry.crc, 16);
    header.writeUInt32LE(Math.min(entry.compressedSize, MAX32), 20);
    header.writeUInt32LE(Math.min(entry.size, MAX32), 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt16LE(extraLength, 30);
    header.writeUInt16LE(0, 32); // comment length
    header.writeUInt16LE(0, 34); // disk number start
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE(REGULAR_FILE_0644, 38);
    header.writeUInt32LE(Math.min(entry.offset, MAX32), 42);
    nameBytes.copy(header, 46);
    if (extras.length > 0) {
      let at = 46 + nameBytes.length;
      header.writeUInt16LE(0x0001, at);
      header.writeUInt16LE(8 * extras.length, at + 2);
      at += 4;
      for (const value of extras) {
        header.writeBigUInt64LE(value, at);
        at += 8;
      }
    }
    await this.central.append(header);
  }
}

function localHeader(
  nameBytes: Buffer,
  entry: {
    method: number;
    flags: number;
    time: number;
    date: number;
    crc: number;
    compressedSize: number;
    size: number;
    zip64?: boolean;
  },
): Buffer {
  const extraLength = entry.zip64 ? 20 : 0;
  const header = Buffer.alloc(30 + nameBytes.length + extraLength);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(entry.zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  header.writeUInt16LE(entry.flags, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(entry.time, 10);
  header.writeUInt16LE(entry.date, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.zip64 ? MAX32 : entry.compressedSize, 18);
  header.writeUInt32LE(entry.zip64 ? MAX32 : entry.size, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  header.writeUInt16LE(extraLength, 28);
  nameBytes.copy(header, 30);
  if (entry.zip64) {
    // Sizes follow in the data descriptor; the local ZIP64 field must be present, with zeros.
    header.writeUInt16LE(0x0001, 30 + nameBytes.length);
    header.writeUInt16LE(16, 32 + nameBytes.length);
  }
  return header;
}

/** Entry names are relative, '/'-separated, with no '.', '..' or empty segment: nothing that could escape. */
function entryName(name: string): Buffer {
  if (
    name.length === 0 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    name.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new Error(`invalid zip entry name "${name}"`);
  }
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > MAX16) throw new Error(`zip entry name too long: ${name.slice(0, 80)}...`);
  return bytes;
}

/** MS-DOS date and time (2-second resolution), from the UTC fields so the bundle is the same in any zone. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function onceDrained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
