#!/usr/bin/env node
// Installs what the test suite needs when it is missing: Debian's nats-server and chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needs = [
  { pkg: 'nats-server', present: () => has('nats-server') },
  { pkg: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'rabbitmq-server', present: () => existsSync('/usr/sbin/rabbitmq-server') },
  { pkg: 'mosquitto', present: () => existsSync('/usr/sbin/mosquitto') },
];

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

console.log(`[test setup] installing ${missing.join(', ')} with apt-get (Debian packages)`);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const prefix = root ? [] : has('sudo') ? ['sudo', '-n'] : null;
if (prefix === null) {
  console.error(
    `[test setup] ${missing.join(', ')} missing and this user cannot install packages; run: sudo apt-get install -y ${missing.join(' ')}`,
  );
  process.exit(1);
}
try {
  const run = (args) =>
    execFileSync(prefix[0] ?? args[0], prefix.length ? [...prefix.slice(1), ...args] : args.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...missing]);
} catch (err) {
  console.error(`[test setup] could not install ${missing.join(', ')}: ${err.message}`);
  console.error(`[test setup] install them by hand: sudo apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}
const still = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (still.length > 0) {
  console.error(`[test setup] still missing after install: ${still.join(', ')}`);
  process.exit(1);
}
