import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { freePort } from '../../test/helpers/ports';
import { openNatsFromCli } from './cli-options';
import {
  checkJetStreamDurability,
  combine,
  fetchVarzJson,
  formatNanos,
  interpretVarz,
  parseServerVersion,
  varzUrl,
  warnIfUnsynced,
} from './durability-check';
import { NatsBackend } from './nats-backend';

/** A logger that keeps what it was given, one entry per line a pino logger would write. */
function captureLogger() {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg });
  return {
    lines,
    warns: () => lines.filter((l) => l.level === 'warn'),
    logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') },
  };
}

const MINUTES_2 = 120_000_000_000; // a Go time.Duration in /varz: nanoseconds

describe('server versions', () => {
  test('parses what nc.info.version and /varz carry', () => {
    expect(parseServerVersion('2.9.10')).toEqual({ major: 2, minor: 9, patch: 10 });
    expect(parseServerVersion('v2.10.22')).toEqual({ major: 2, minor: 10, patch: 22 });
    expect(parseServerVersion('2.11.0-RC.1')).toEqual({ major: 2, minor: 11, patch: 0 });
    expect(parseServerVersion('2.12.12')).toEqual({ major: 2, minor: 12, patch: 12 });
    expect(parseServerVersion('nightly')).toBeUndefined();
    expect(parseServerVersion(undefined)).toBeUndefined();
  });

  test('formats Go durations', () => {
    expect(formatNanos(MINUTES_2)).toBe('2m');
    expect(formatNanos(3_600_000_000_000)).toBe('1h');
    expect(formatNanos(30_000_000_000)).toBe('30s');
    expect(formatNanos(1_500_000_000)).toBe('1.5s');
    expect(formatNanos(500_000_000)).toBe('500ms');
  });

  test('monitoring URLs lead to /varz', () => {
    expect(varzUrl('http://nats-1:8222')).toBe('http://nats-1:8222/varz');
    expect(varzUrl('http://nats-1:8222/')).toBe('http://nats-1:8222/varz');
    expect(varzUrl('http://nats-1:8222/varz')).toBe('http://nats-1:8222/varz');
    expect(varzUrl('127.0.0.1:8222')).toBe('http://127.0.0.1:8222/varz');
  });
});

describe('reading /varz (jetstream.config.sync_always / sync_interval)', () => {
  const varz = (config: object | undefined, version = '2.10.22') => ({
    version,
    server_name: 'nats-1',
    ...(config && {
      jetstream: { config: { max_memory: 1, max_storage: 1, store_dir: '/data/jetstream', ...config } },
    }),
  });

  test('sync_interval: always (the server reports sync_always, and the 2m it keeps for background syncs)', () => {
    const v = interpretVarz(varz({ sync_always: true, sync_interval: MINUTES_2 }));
    expect(v.synced).toBe(true);
    expect(v.detail).toBe(
      'nats-server nats-1 (2.10.22) syncs each JetStream write to disk before acknowledging it (sync_interval: always)',
    );
  });

  test('an interval: not synced, and the window is named', () => {
    const v = interpretVarz(varz({ sync_interval: 10_000_000_000 }, '2.12.12'));
    expect(v.synced).toBe(false);
    expect(v.detail).toContain('nats-server nats-1 (2.12.12) syncs JetStream writes to disk every 10s (sync_interval)');
    expect(v.detail).toContain('up to 10s of them, may be lost on a power loss or OS crash');
    expect(v.detail).toContain('a crash of the nats-server process alone loses nothing');
  });

  test('no sync fields on 2.10+: the default, every 2 minutes', () => {
    const v = interpretVarz(varz({}));
    expect(v.synced).toBe(false);
    expect(v.detail).toContain('every 2m (no sync_interval set: the default)');
    expect(v.detail).toContain('up to 2m of them');
  });

  test('a server older than 2.10 cannot sync each write, whatever /varz says', () => {
    const v = interpretVarz(varz({}, '2.9.25'));
    expect(v.synced).toBe(false);
    expect(v.detail).toMatch(/^nats-server nats-1 \(2\.9\.25\) cannot sync each JetStream write/);
    expect(v.detail).toContain('up to 2 minutes of them, may be lost on a power loss or OS crash');
  });

  test('what cannot be read is unknown, never synced', () => {
    expect(interpretVarz(varz(undefined)).synced).toBe('unknown'); // JetStream off
    expect(interpretVarz({ jetstream: { config: {} } }).synced).toBe('unknown'); // no version, no fields
    expect(interpretVarz('<html>').synced).toBe('unknown');
    expect(interpretVarz(null).synced).toBe('unknown');
    // A version from the connection fills in for a /varz without one.
    expect(interpretVarz({ jetstream: { config: {} } }, '2.11.3').synced).toBe(false);
    // An interval says by itself that the server has the option.
    expect(interpretVarz({ jetstream: { config: { sync_interval: MINUTES_2 } } }).synced).toBe(false);
  });

  test('a cluster is synced only when every node is', () => {
    const yes = { synced: true as const, detail: 'a' };
    const no = { synced: false as const, detail: 'b' };
    const unknown = { synced: 'unknown' as const, detail: 'c' };
    expect(combine([yes, yes, yes])).toEqual({ synced: true, detail: 'a | a | a' });
    expect(combine([yes, no, unknown])).toEqual({ synced: false, detail: 'b | c' });
    expect(combine([yes, unknown, yes])).toEqual({ synced: 'unknown', detail: 'c' });
  });
});

describe('checkJetStreamDurability', () => {
  test('without a monitoring URL: by version, or unknown with how to enable the check', async () => {
    expect((await checkJetStreamDurability({ serverVersion: '2.9.10' })).synced).toBe(false);
    const v = await checkJetStreamDurability({ serverVersion: '2.12.12' });
    expect(v.synced).toBe('unknown');
    expect(v.detail).toContain('--nats-monitor http://<nats host>:8222');
    expect(v.detail).toContain('NATS_MONITOR_URL');
    expect((await checkJetStreamDurability({})).synced).toBe('unknown');
  });

  test('reads every node of a comma-separated list', async () => {
    const seen: string[] = [];
    const nodes: Record<string, object> = {
      'http://n1:8222/varz': { version: '2.12.12', server_name: 'n1', jetstream: { config: { sync_always: true } } },
      'http://n2:8222/varz': { version: '2.12.12', server_name: 'n2', jetstream: { config: { sync_always: true } } },
      'http://n3:8222/varz': { version: '2.12.12', server_name: 'n3', jetstream: { config: {} } },
    };
    const fetchVarz = async (url: string) => {
      seen.push(url);
      return nodes[url];
    };
    const v = await checkJetStreamDurability({
      serverVersion: '2.12.12',
      monitorUrl: 'http://n1:8222, http://n2:8222/varz,n3:8222',
      fetchVarz,
    });
    expect(seen.sort()).toEqual(Object.keys(nodes));
    expect(v.synced).toBe(false);
    expect(v.detail).toMatch(/^nats-server n3 \(2\.12\.12\) syncs JetStream writes to disk every 2m/);
  });

  test('a /varz that cannot be read is unknown (and names the URL without credentials)', async () => {
    const v = await checkJetStreamDurability({
      serverVersion: '2.10.22',
      monitorUrl: 'http://admin:secret@n1:8222',
      fetchVarz: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    expect(v.synced).toBe('unknown');
    expect(v.detail).toContain('could not read http://admin:***@n1:8222/varz (connect ECONNREFUSED)');
    expect(v.detail).not.toContain('secret');
  });
});

describe('warnIfUnsynced', () => {
  const link = (version?: string) => ({ nc: { info: version === undefined ? undefined : { version } } });

  test('one warning line when not synced or unknown; an info line when synced', async () => {
    for (const [version, monitorUrl, varz] of [
      ['2.9.10', undefined, undefined],
      ['2.12.12', undefined, undefined],
      ['2.12.12', 'http://n1:8222', { version: '2.12.12', jetstream: { config: {} } }],
    ] as const) {
      const log = captureLogger();
      await warnIfUnsynced(link(version), { monitorUrl, fetchVarz: async () => varz }, log.logger);
      expect(log.lines).toHaveLength(1);
      expect(log.warns()).toHaveLength(1);
      expect(log.warns()[0]!.msg).toMatch(/^NATS: acknowledged JetStream writes may not be on disk: nats-server/);
    }
    const log = captureLogger();
    const v = await warnIfUnsynced(
      link('2.12.12'),
      { monitorUrl: 'http://n1:8222', fetchVarz: async () => ({ jetstream: { config: { sync_always: true } } }) },
      log.logger,
    );
    expect(v.synced).toBe(true);
    expect(log.warns()).toHaveLength(0);
    expect(log.lines.map((l) => l.level)).toEqual(['info']);
  });

  test('never throws: not a failing fetch, not a missing INFO, not a throwing logger', async () => {
    const log = captureLogger();
    const failing = async () => {
      throw new TypeError('fetch failed');
    };
    const v = await warnIfUnsynced(link(), { monitorUrl: 'http://n1:8222', fetchVarz: failing }, log.logger);
    expect(v.synced).toBe('unknown');
    expect(log.warns()).toHaveLength(1);
    const broken = {
      info() {
        throw new Error('closed');
      },
      warn() {
        throw new Error('closed');
      },
    };
    await expect(warnIfUnsynced(link('2.9.10'), {}, broken)).resolves.toMatchObject({ synced: false });
    await expect(warnIfUnsynced(link('2.9.10'), {}, undefined)).resolves.toMatchObject({ synced: false });
    // A monitoring endpoint that does not answer in time is unknown, not a hang.
    const silent = await warnIfUnsynced(link('2.12.12'), { monitorUrl: 'http://127.0.0.1:1' }, log.logger);
    expect(silent.synced).toBe('unknown');
  });
});

describe("against this machine's nats-server (Debian's 2.9.10)", () => {
  let nats: NatsServerHandle;
  let monitorUrl: string;
  let indexDir: string;

  beforeAll(async () => {
    const monitorPort = await freePort();
    nats = await startNats({ args: ['-m', String(monitorPort)] });
    monitorUrl = `http://127.0.0.1:${monitorPort}`;
    indexDir = await mkdtemp(path.join(tmpdir(), 'sluice-durability-index-'));
  });

  afterAll(async () => {
    await nats?.stop();
    if (indexDir) await rm(indexDir, { recursive: true, force: true });
  });

  test('/varz is where the check looks: jetstream.config of this very server', async () => {
    const varz = (await fetchVarzJson(varzUrl(monitorUrl))) as {
      version: string;
      jetstream: { config: { store_dir: string; sync_interval?: number; sync_always?: boolean } };
    };
    expect(varz.jetstream.config.store_dir).toContain(nats.storeDir);
    if (parseServerVersion(varz.version)!.minor < 10) {
      // 2.9 has no sync fields at all: the check judges it by its version.
      expect(varz.jetstream.config.sync_always).toBeUndefined();
      expect(varz.jetstream.config.sync_interval).toBeUndefined();
    }
    // Started without a config file: the default interval, not synced.
    expect(interpretVarz(varz).synced).toBe(false);
  });

  test('opening the back end from the CLI reports it not synced, in exactly one warning line', async () => {
    const log = captureLogger();
    const opened = await openNatsFromCli(
      {
        nats: nats.url,
        natsAckWait: '30s',
        provenanceMaxAge: '1h',
        provenanceMaxBytes: '10 MB',
        provenanceIndex: indexDir,
        natsMonitor: monitorUrl,
      },
      log.logger,
      10_000,
    );
    expect(opened).toBeInstanceOf(NatsBackend);
    const backend = opened as NatsBackend;
    try {
      const version = backend.link.nc.info?.version;
      const warns = log.warns();
      expect(warns).toHaveLength(1);
      expect(warns[0]!.obj).toEqual({ nats: { synced: false, version } });
      const expected = parseServerVersion(version)!.minor < 10 ? 'cannot sync each JetStream write' : 'syncs JetStream';
      expect(warns[0]!.msg).toContain(expected);
      // The line as an operator sees it (pino writes it as the "msg" of a JSON line on stderr).
      console.log(warns[0]!.msg);
      // Checked once: the back end itself logs nothing more about it.
      expect(log.lines.filter((l) => /JetStream writes/.test(l.msg ?? ''))).toHaveLength(1);
    } finally {
      await backend.close();
    }
  });

  test('the check on its own, by the connected server and its /varz', async () => {
    const backend = await NatsBackend.open({ url: nats.url, provenance: false });
    try {
      const log = captureLogger();
      const v = await warnIfUnsynced(backend.link, { monitorUrl }, log.logger);
      expect(v.synced).toBe(false);
      expect(log.warns()).toHaveLength(1);
      // Without /varz: judged by the version alone (unknown from 2.10 on).
      const old = parseServerVersion(backend.link.nc.info?.version)!.minor < 10;
      const bare = await warnIfUnsynced(backend.link, {}, log.logger);
      expect(bare.synced).toBe(old ? false : 'unknown');
      expect(log.warns()).toHaveLength(2);
    } finally {
      await backend.close();
    }
  });
});
