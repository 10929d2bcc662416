import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EXPORT_JOB_DIR_PREFIX } from '@crosswalk/export';

/** Build directories older than this, of no known process (the CLI's, or older versions'), are abandoned. */
const UNOWNED_STALE_MS = 24 * 3600 * 1000;

/** Whether a process with this id is alive on this host (EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes export build directories a killed worker left in the temporary directory. An export job builds in
 * `crosswalk-export-job-<pid>-<random>/` (storeExport), so a directory is stale exactly when its process is gone:
 * another worker on the same host building an export right now keeps its directory. Other `crosswalk-export-*`
 * directories name no process (a CLI export builds in `crosswalk-export-<random>/`): they are removed only when
 * untouched for a day. Pids are those of this host's (or container's) process namespace: workers that share a
 * temporary directory must share it too.
 */
export async function removeStaleExportDirs(
  dir: string = os.tmpdir(),
  now: number = Date.now(),
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith('crosswalk-export-')) continue;
    const owner = name.startsWith(EXPORT_JOB_DIR_PREFIX)
      ? Number(name.slice(EXPORT_JOB_DIR_PREFIX.length).split('-')[0])
      : NaN;
    const full = path.join(dir, name);
    let stale: boolean;
    if (Number.isInteger(owner) && owner > 0) {
      stale = owner !== process.pid && !alive(owner);
    } else {
      const info = await stat(full).catch(() => undefined);
      stale = info !== undefined && now - info.mtimeMs > UNOWNED_STALE_MS;
    }
    if (stale) {
      await rm(full, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
