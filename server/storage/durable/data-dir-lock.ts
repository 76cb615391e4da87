import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * One process per data directory: two engines on one repository would both take the same FlowFiles. The
 * lock is a file holding the owner's PID, created exclusively; a lock left by a process that no longer
 * runs (kill -9, power loss) is taken over.
 */
export class DataDirLock {
  private constructor(readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    const file = path.join(dataDir, 'sluice.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o644);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(file, err);
      }
      const owner = readOwner(file);
      if (owner !== undefined && owner !== process.pid && isAlive(owner))
        throw new Error(
          `data directory ${dataDir} is in use by process ${owner}; stop it first, or give this one another --data directory`,
        );
      // The owner is gone: its lock is stale.
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw lockError(file, err);
      }
    }
    throw new Error(`could not lock data directory ${dataDir}: another process keeps taking ${file}`);
  }

  release(): void {
    try {
      if (readOwner(this.file) === process.pid) unlinkSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockError(file: string, err: unknown): Error {
  return new Error(`cannot create lock file ${file}: ${(err as Error).message}`);
}
