/**
 * Starts Debian's real nats-server with JetStream on a free loopback port and a temporary store
 * directory; stops it by PID. Tests call `startNats()` in beforeAll and `stop()` in afterAll.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export interface NatsServerHandle {
  url: string;
  port: number;
  storeDir: string;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL) and keeps the store directory. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and store (a NATS restart). */
  restart(): Promise<void>;
  /** Stops it and removes the store directory. */
  stop(): Promise<void>;
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startNats(
  options: { port?: number; storeDir?: string; args?: string[] } = {},
): Promise<NatsServerHandle> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? (await mkdtemp(path.join(tmpdir(), 'sluice-nats-')));
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(
      'nats-server',
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...(options.args ?? [])],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const failed = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`nats-server exited with ${code}: ${stderr}`))),
    );
    await Promise.race([waitForPort(port, 10_000), failed]);
    failed.catch(() => {});
  };
  await launch();
  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return child.pid ?? -1;
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    },
    async restart() {
      await handle.kill();
      await launch();
    },
    async stop() {
      await handle.kill();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
  return handle;
}
