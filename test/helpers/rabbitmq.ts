/**
 * Starts Debian's real RabbitMQ (`rabbitmq-server`) for a test file: its own node name, AMQP port, Erlang
 * distribution port and epmd port, data and logs under a temporary directory, no plugins; stops it by PID.
 * It boots in several seconds, so start one per test file in beforeAll and `stop()` it in afterAll.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { exited, portOpen } from './processes';

const RABBIT_BIN = '/usr/lib/rabbitmq/bin';

export interface RabbitHandle {
  /** amqp://127.0.0.1:PORT: no credentials in it, so clients use guest/guest, which may log in from loopback. */
  url: string;
  port: number;
  nodeName: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

/** Kills a detached child's whole process group (the start script, erl and beam), then waits for it. */
async function killGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }, 10_000);
  await exited(child);
  clearTimeout(timer);
}

export async function startRabbit(options: { bootTimeoutMs?: number } = {}): Promise<RabbitHandle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-rabbit-'));
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const nodeName = `sluice${process.pid}x${port}@localhost`;
  await writeFile(path.join(dir, 'enabled_plugins'), '[].\n');
  await writeFile(path.join(dir, 'rabbitmq.conf'), 'loopback_users.guest = true\n');
  await writeFile(path.join(dir, 'rabbitmq-env.conf'), '');
  const env = {
    ...process.env,
    HOME: dir,
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_PLUGINS_EXPAND_DIR: path.join(dir, 'plugins-expand'),
    RABBITMQ_PID_FILE: path.join(dir, 'rabbit.pid'),
  };
  // Our own epmd on its own port, so nothing outlives the test (Erlang would otherwise daemonize one on 4369).
  const epmd = spawn('epmd', ['-port', String(epmdPort), '-address', '127.0.0.1'], { stdio: 'ignore', detached: true });
  const server = spawn(path.join(RABBIT_BIN, 'rabbitmq-server'), [], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d).slice(-4000);
  };
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  // If the test process dies without afterAll (a killed worker), the broker dies with it.
  const onExit = () => {
    for (const child of [server, epmd])
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {}
  };
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    await killGroup(server, 'SIGTERM');
    await killGroup(epmd, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  // The AMQP port opens once the broker has booted.
  const deadline = Date.now() + (options.bootTimeoutMs ?? 60_000);
  while (!(await portOpen(port))) {
    if (server.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`rabbitmq-server did not listen on ${port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `amqp://127.0.0.1:${port}`, port, nodeName, dir, pid: server.pid ?? -1, stop };
}
