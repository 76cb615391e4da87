/**
 * Starts Debian's real `mosquitto` MQTT broker on a free loopback port with its own config in a temporary
 * directory; stops it by PID. Options add config lines (e.g. an ACL file) for the test that needs them.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { exited, portOpen } from './processes';

export interface MosquittoHandle {
  url: string;
  port: number;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startMosquitto(
  options: { config?: string[]; files?: Record<string, string> } = {},
): Promise<MosquittoHandle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-mosquitto-'));
  const port = await freePort();
  // Run as root, mosquitto drops to its own user before reading ACL files: they must be readable.
  await chmod(dir, 0o755);
  for (const [name, text] of Object.entries(options.files ?? {}))
    await writeFile(path.join(dir, name), text, { mode: 0o644 });
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...(options.config ?? []).map((line) => line.replaceAll('$DIR', dir)),
  ];
  const configFile = path.join(dir, 'mosquitto.conf');
  await writeFile(configFile, `${config.join('\n')}\n`);
  const child = spawn('/usr/sbin/mosquitto', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  // If the test process dies without afterAll (a killed worker), the broker dies with it.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `mqtt://127.0.0.1:${port}`, port, dir, pid: child.pid ?? -1, stop };
}
