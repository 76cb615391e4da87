/**
 * docker-compose.yml and the Dockerfile, checked without Docker (no engine runs where this was written): the
 * compose file parses, its NATS nodes form one cluster of the services it declares, and every Sluice command,
 * flag, environment variable and port it uses exists in the CLI (`sluice <command> --help`), and every NATS node
 * syncs each JetStream write before acknowledging it (`sync_interval: always`, docs/nats.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: string[];
  configs?: ({ source: string; target?: string } | string)[];
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string; file?: string }>;
};
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const services = Object.entries(compose.services);
const natsServices = services.filter(([, s]) => s.image?.startsWith('nats:'));
const sluiceServices = services.filter(([, s]) => s.build !== undefined);

const helpCache = new Map<string, string>();
function help(command: string): string {
  let text = helpCache.get(command);
  if (text === undefined) {
    text = execFileSync(process.execPath, ['bin/sluice.mjs', command, '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NATS_URL: '', SLUICE_TOKEN: '' },
    });
    text = text.replace(/\s+/g, ' '); // help wraps at 80 columns
    helpCache.set(command, text);
  }
  return text;
}

/** `--flag value` pairs of a command line (`--no-x` style switches have no value). */
function flagsOf(args: readonly string[]): Map<string, string | undefined> {
  const flags = new Map<string, string | undefined>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) continue;
    const next = args[i + 1];
    flags.set(a, next !== undefined && !next.startsWith('-') ? next : undefined);
  }
  return flags;
}

const containerPort = (mapping: string) => mapping.split(':').at(-1)!.split('/')[0]!;

describe('docker-compose.yml (parsed, not run: no Docker engine here)', () => {
  test('three NATS JetStream nodes route to each other in one cluster, each with its own volume', () => {
    expect(natsServices.map(([name]) => name)).toHaveLength(3);
    const clusterNames = new Set<string>();
    const serverNames = new Set<string>();
    for (const [name, s] of natsServices) {
      const flags = flagsOf(s.command ?? []);
      expect(flags.has('-js'), `${name} enables JetStream`).toBe(true);
      expect(flags.get('-sd'), `${name} stores JetStream data`).toBe('/data');
      clusterNames.add(flags.get('--cluster_name')!);
      serverNames.add(flags.get('-n')!);
      const clusterPort = new URL(flags.get('--cluster')!).port;
      const routes = flags
        .get('--routes')!
        .split(',')
        .map((r) => new URL(r));
      // Every other node, on its cluster port; never itself.
      expect(routes.map((r) => r.hostname).sort()).toEqual(
        natsServices
          .map(([other]) => other)
          .filter((other) => other !== name)
          .sort(),
      );
      for (const r of routes) expect(r.port).toBe(clusterPort);
      const volume = s.volumes![0]!.split(':')[0]!;
      expect(compose.volumes).toHaveProperty(volume);
    }
    expect(clusterNames.size).toBe(1);
    expect(serverNames.size).toBe(3);
  });

  test('every NATS flag it uses exists in nats-server', () => {
    const natsHelp = execFileSync('nats-server', ['--help'], { encoding: 'utf8' });
    for (const [name, s] of natsServices)
      for (const flag of flagsOf(s.command ?? []).keys())
        expect(natsHelp, `${name}: nats-server has no ${flag}`).toMatch(new RegExp(`(^|[\\s,])${flag}[\\s,]`, 'm'));
  });

  test('every NATS node syncs each JetStream write before acknowledging it (sync_interval: always)', () => {
    const localVersion = /v?(\d+)\.(\d+)\.(\d+)/.exec(
      execFileSync('nats-server', ['--version'], { encoding: 'utf8' }),
    )!;
    for (const [name, s] of natsServices) {
      // An image that has the option (2.10+), pinned to a release: 2.10.23 fixed streams lost on process crashes.
      const tag = /^nats:(\d+)\.(\d+)\.(\d+)-alpine$/.exec(s.image!);
      expect(tag, `${name} pins a nats-server release (nats:X.Y.Z-alpine), not ${s.image}`).not.toBeNull();
      const [major, minor, patch] = tag!.slice(1).map(Number) as [number, number, number];
      expect(
        major * 1_000_000 + minor * 1000 + patch,
        `${name}: ${s.image} is older than 2.10.23`,
      ).toBeGreaterThanOrEqual(2_010_023);
      // -c names a file the service mounts from a config of this compose file.
      const file = flagsOf(s.command ?? []).get('-c');
      expect(file, `${name} reads a config file (-c)`).toBeDefined();
      const mount = (s.configs ?? []).find((c) => typeof c !== 'string' && c.target === file);
      expect(mount, `${name} mounts ${file}`).toBeDefined();
      const content = compose.configs?.[(mount as { source: string }).source]?.content ?? '';
      const jetstream = /^jetstream\s*\{([^}]*)\}/m.exec(content.replace(/#.*$/gm, ''));
      expect(jetstream?.[1], `${name}: ${file} has a jetstream block`).toBeDefined();
      expect(jetstream![1]).toMatch(/^\s*sync_interval:\s*always\s*$/m);

      // The file parses: this machine's nats-server accepts it, or (older than 2.10) objects to nothing else.
      const dir = mkdtempSync(path.join(tmpdir(), 'sluice-compose-'));
      try {
        const conf = path.join(dir, 'nats.conf');
        writeFileSync(conf, content);
        const r = spawnSync('nats-server', ['-t', '-c', conf], { encoding: 'utf8' });
        if (r.status !== 0) {
          expect(Number(localVersion[1]) * 1000 + Number(localVersion[2]), r.stderr).toBeLessThan(2010);
          const errors = r.stderr.split('\n').filter((line) => line.includes(conf));
          expect(errors.length, r.stderr).toBeGreaterThan(0);
          for (const line of errors) expect(line).toMatch(/unknown field "sync_interval"/);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test("Sluice reads every NATS node's /varz at start, on the port it monitors (NATS_MONITOR_URL)", () => {
    const monitored = natsServices.map(([name, s]) => `${name}:${flagsOf(s.command ?? []).get('-m')}`).sort();
    for (const [name, s] of sluiceServices) {
      const urls = (s.environment?.NATS_MONITOR_URL ?? '').split(',').map((u) => new URL(u));
      expect(urls.map((u) => `${u.hostname}:${u.port}`).sort(), `${name}: NATS_MONITOR_URL`).toEqual(monitored);
      for (const u of urls) expect(u.protocol).toBe('http:');
    }
  });

  test('every Sluice service runs a CLI command with flags and environment variables the CLI has', () => {
    expect(sluiceServices.map(([name]) => name).sort()).toEqual(['sluice', 'worker-1', 'worker-2']);
    for (const [name, s] of sluiceServices) {
      const [command, ...args] = s.command!;
      const text = help(command!);
      expect(text, `${name}: sluice ${command}`).toContain(`Usage: sluice ${command}`);
      for (const flag of flagsOf(args).keys())
        expect(text, `${name}: sluice ${command} has no ${flag}`).toMatch(new RegExp(`\\s${flag}[\\s,]`));
      for (const variable of Object.keys(s.environment ?? {}))
        expect(help('serve') + help('worker'), `${name}: ${variable} is read by no command`).toContain(
          `env: ${variable}`,
        );
      expect(help(command!), `${name}: ${command} reads NATS_URL`).toContain('env: NATS_URL');
      for (const dep of s.depends_on ?? []) expect(compose.services, `${name} depends on ${dep}`).toHaveProperty(dep);
    }
  });

  test('the server publishes 8080 where it listens, and every Sluice container answers the health check', () => {
    const [, server] = sluiceServices.find(([, s]) => s.command![0] === 'serve')!;
    const serverFlags = flagsOf(server.command!);
    expect(server.ports!.map(containerPort)).toEqual([serverFlags.get('--port')]);
    // The token the non-loopback bind requires comes from the environment.
    expect(serverFlags.get('--host')).toBe('0.0.0.0');
    expect(server.environment).toHaveProperty('SLUICE_TOKEN');
    const health = /HEALTHCHECK[\s\S]*?http:\/\/127\.0\.0\.1:(\d+)\/healthz/.exec(dockerfile);
    expect(health, 'the Dockerfile checks /healthz').not.toBeNull();
    for (const [name, s] of sluiceServices)
      expect(flagsOf(s.command!).get('--port'), `${name} serves /healthz on the checked port`).toBe(health![1]);
  });

  test('workers have unique names and a cluster that keeps three copies', () => {
    const workers = sluiceServices.filter(([, s]) => s.command![0] === 'worker');
    const names = workers.map(([, s]) => flagsOf(s.command!).get('--name'));
    expect(new Set(names).size).toBe(workers.length);
    for (const [, s] of sluiceServices) expect(s.environment?.SLUICE_REPLICAS).toBe(String(natsServices.length));
  });
});

describe('Dockerfile', () => {
  test('multi-stage node 20 slim, production dependencies only, non-root, runs the sluice CLI', () => {
    expect(dockerfile.match(/^FROM node:20-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/sluice\.mjs"\]$/m);
    // What the CLI loads at run time is copied into the runtime stage.
    for (const dir of ['bin', 'server', 'processors', 'flows', 'ui/dist'])
      expect(dockerfile, `copies ${dir}`).toContain(`COPY --from=build /app/${dir} ./${dir}`);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    const text = help(cmd[0]!);
    for (const flag of flagsOf(cmd.slice(1)).keys()) expect(text).toMatch(new RegExp(`\\s${flag}[\\s,]`));
  });
});
