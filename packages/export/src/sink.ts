import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { type FileHandle, open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { crc32 } from 'node:zlib';

/**
 * Writes to a Writable with backpressure: each write waits for 'drain' when the stream's buffer is full, so a
 * fast producer never piles data up in memory. Counts the bytes and hashes them (the bundle's own SHA-256).
 */
export class Sink {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private failure: Error | undefined;

  constructor(private readonly out: Writable) {
    out.on('error', (error) => {
      this.failure ??= error;
    });
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (!this.out.write(chunk)) {
      await this.drained();
      if (this.failure) throw this.failure;
    }
  }

  /** 'drain' (or 'close'/'error'), with every listener removed again: nothing accumulates over many waits. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
      this.out.on('error', done);
    });
  }

  /** Ends the stream and waits until everything is flushed (a file is written and closed). */
  async end(): Promise<{ bytes: number; sha256: string }> {
    if (this.failure) throw this.failure;
    const finished = once(this.out, 'finish');
    this.out.end();
    await finished;
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

/**
 * An append-only temporary file, written in 64 KiB blocks, with its size, CRC-32 and SHA-256 kept as it grows.
 * The export spools what it cannot write into the zip yet (CSV rows, the SHA256SUMS lines, the central
 * directory) here instead of in memory, so memory stays flat however many records there are.
 */
export class Spool {
  size = 0;
  private crc = 0;
  private readonly sha: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<Spool> {
    return new Spool(path, await open(path, 'wx', 0o600));
  }

  async append(data: string | Buffer): Promise<void> {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const block = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    // Checksummed a block at a time, not line by line: the same sums, with one call per 64 KiB.
    this.crc = crc32(block, this.crc);
    this.sha.update(block);
    await this.handle.write(block);
  }

  /** Flushes and closes; the file stays for reading until the export's temporary directory is removed. */
  async close(): Promise<{ path: string; size: number; crc: number; sha256: string }> {
    await this.flush();
    await this.handle.close();
    this.closed = true;
    return { path: this.path, size: this.size, crc: this.crc, sha256: this.sha.digest('hex') };
  }

  /** Closes the file without flushing (after a failure); safe to call more than once. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    await this.handle.close().catch(() => {});
  }
}
