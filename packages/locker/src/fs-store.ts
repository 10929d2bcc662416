import { randomBytes } from 'node:crypto';
import { createReadStream, type Dirent, promises as fs } from 'node:fs';
import path from 'node:path';
import { CrosswalkError } from '@crosswalk/core';
import type { ListOptions, ObjectStore, ReadableObject, StoredObjectInfo, WriteOnceMode } from './store.js';

/** Temporary files live in their own folder on the same filesystem, so listings never see half-written data. */
const TMP_DIR = '.tmp';

/**
 * The embedded default: the same keys as S3, as files under one directory.
 * Write-once is a hard link from a fully written, fsynced temporary file: link(2) fails with EEXIST when the
 * target exists, so creation is exclusive and a reader never sees a partial file.
 */
export class FsObjectStore implements ObjectStore {
  readonly location: string;

  constructor(root: string) {
    this.location = path.resolve(root);
  }

  private pathOf(key: string): string {
    if (key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new CrosswalkError('CW_INPUT_INVALID', `invalid locker key "${key}"`);
    }
    return path.join(this.location, ...key.split('/'));
  }

  private async writeTemp(body: Uint8Array): Promise<string> {
    const dir = path.join(this.location, TMP_DIR);
    await fs.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const handle = await fs.open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  }

  async createOnce(key: string, body: Uint8Array): Promise<'created' | 'exists'> {
    return this.linkOnce(key, await this.wrap(key, () => this.writeTemp(body)));
  }

  async createFromFileOnce(key: string, file: string): Promise<'created' | 'exists'> {
    this.pathOf(key);
    const tmp = await this.wrap(key, async () => {
      const dir = path.join(this.location, TMP_DIR);
      await fs.mkdir(dir, { recursive: true });
      const copy = path.join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
      await fs.copyFile(file, copy, fs.constants.COPYFILE_EXCL);
      const handle = await fs.open(copy, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return copy;
    });
    return this.linkOnce(key, tmp);
  }

  /** Links a complete temporary file to `key` (exclusive: EEXIST means it is there) and drops the temporary. */
  private async linkOnce(key: string, tmp: string): Promise<'created' | 'exists'> {
    const target = this.pathOf(key);
    try {
      await this.wrap(key, () => fs.mkdir(path.dirname(target), { recursive: true }));
      try {
        await fs.link(tmp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw this.translate(error, key);
      }
      return 'created';
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const tmp = await this.wrap(key, () => this.writeTemp(body));
    try {
      await this.wrap(key, () => fs.mkdir(path.dirname(target), { recursive: true }));
      await this.wrap(key, () => fs.rename(tmp, target));
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.translate(error, key);
    }
  }

  async openRead(key: string): Promise<ReadableObject | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.translate(error, key);
    }
    try {
      const { size } = await handle.stat();
      // The stream owns the handle from here and closes it when it ends or is destroyed.
      return { body: createReadStream('', { fd: handle, autoClose: true }), size };
    } catch (error) {
      await handle.close();
      throw this.translate(error, key);
    }
  }

  async delete(key: string): Promise<void> {
    await this.wrap(key, () => fs.rm(this.pathOf(key), { force: true }));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<StoredObjectInfo> {
    // Walk from the deepest directory the prefix names; the rest of the prefix filters names.
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const dir = base === '' ? this.location : this.pathOf(base.slice(0, -1));
    yield* this.walk(dir, base, prefix, options.startAfter);
  }

  /**
   * Depth-first in S3's order. A directory sorts as its name plus '/', which is where its keys fall among its
   * siblings' keys; a subtree whose keys all sort before `startAfter` is skipped without being read.
   */
  private async *walk(
    dir: string,
    keyBase: string,
    prefix: string,
    startAfter: string | undefined,
  ): AsyncIterable<StoredObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' ||
        (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      ) {
        return;
      }
      throw this.translate(error, keyBase);
    }
    const named = entries
      .filter((entry) => !(keyBase === '' && entry.name === TMP_DIR))
      .map((entry) => ({ entry, key: keyBase + entry.name + (entry.isDirectory() ? '/' : '') }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { entry, key } of named) {
      if (entry.isDirectory()) {
        const couldMatchPrefix = key.startsWith(prefix) || prefix.startsWith(key);
        const allBeforeStart = startAfter !== undefined && key < startAfter && !startAfter.startsWith(key);
        if (couldMatchPrefix && !allBeforeStart) {
          yield* this.walk(path.join(dir, entry.name), key, prefix, startAfter);
        }
      } else if (entry.isFile() && key.startsWith(prefix) && (startAfter === undefined || key > startAfter)) {
        const stat = await fs.stat(path.join(dir, entry.name));
        yield { key, size: stat.size };
      }
    }
  }

  async ping(): Promise<void> {
    await this.wrap(this.location, () => fs.mkdir(this.location, { recursive: true }));
    await this.wrap(this.location, () => fs.access(this.location, fs.constants.W_OK | fs.constants.R_OK));
  }

  async supportsRetention(): Promise<boolean> {
    return false;
  }

  /** link(2) refuses an existing target atomically on every local filesystem. */
  async writeOnceMode(): Promise<WriteOnceMode> {
    return 'conditional';
  }

  private async wrap<T>(key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  private translate(error: unknown, key: string): Error {
    if (error instanceof CrosswalkError) return error;
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${this.location} (${key})`;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      return new CrosswalkError('CW_LOCKER_DENIED', `the locker directory refused access: ${where}`, {
        where,
        cause: error,
      });
    }
    return new CrosswalkError(
      'CW_LOCKER_UNAVAILABLE',
      `the locker directory failed (${code ?? 'error'}): ${where}`,
      {
        where,
        cause: error,
      },
    );
  }
}
