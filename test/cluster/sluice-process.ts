/**
 * `node bin/sluice.mjs <args>` as a real child process for the cluster tests: stderr is kept (its tail shows
 * in a failure message), and the process is stopped by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface SluiceProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  stderr(): string;
  /** Exited (or was killed) already. */
  readonly gone: boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (SIGTERM by default, SIGKILL after 5 s) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnSluice(name: string, args: string[], env: Record<string, string> = {}): SluiceProcess {
  // The caller's own cluster settings must not leak in: every setting comes from `args` and `env`.
  const inherited = { ...process.env };
  for (const key of ['NATS_URL', 'SLUICE_REPLICAS', 'SLUICE_WORKER_NAME', 'SLUICE_TOKEN']) delete inherited[key];
  const child = spawn(process.execPath, ['bin/sluice.mjs', ...args], {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => {
    err = (err + d).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    name,
    child,
    pid: child.pid ?? -1,
    stderr: () => err,
    get gone() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid!, signal);
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
