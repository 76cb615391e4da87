/**
 * Does the NATS server sync a JetStream write to disk before it acknowledges it? nats-server acknowledges a
 * publish once the write is handed to the operating system and, by default, fsyncs every 2 minutes
 * (`sync_interval`); only `jetstream { sync_interval: always }` (nats-server 2.10 and later) syncs each write
 * first. So an acknowledged FlowFile can be lost on a power loss or an OS crash (Jepsen, NATS 2.12.1, December
 * 2025). A client cannot read that setting over the NATS protocol: it is in the server's monitoring endpoint,
 * `/varz` → `jetstream.config.sync_always` / `sync_interval` (nanoseconds; both omitted when unset).
 *
 * The verdicts are pure functions of the server version and a /varz object (`interpretVarz`,
 * `checkJetStreamDurability` with an injected fetch); `warnIfUnsynced` runs the check at start and logs one
 * line, and never throws. docs/nats.md says what survives what in each mode.
 */
import type { ProcessorLogger } from '../engine/contract';
import { redactUrl } from './nats-link';

export type Synced = true | false | 'unknown';

export interface DurabilityVerdict {
  synced: Synced;
  /** One sentence (or a few, on one line) for a person: what is configured and what it risks. */
  detail: string;
}

/** The part of nats-server's /varz this check reads. */
export interface Varz {
  version?: string;
  server_name?: string;
  jetstream?: {
    config?: {
      store_dir?: string;
      /** A Go duration: nanoseconds. Omitted when not set (the default, 2 minutes, applies). */
      sync_interval?: number | string;
      /** Omitted when false. */
      sync_always?: boolean;
    };
  };
}

export interface DurabilityCheckOptions {
  /** The connected server's version (`nc.info.version`). */
  serverVersion?: string;
  /**
   * Monitoring endpoint(s) of the NATS server(s), comma-separated: `http://host:8222` (nats-server `-m 8222`),
   * with or without the `/varz` path.
   */
  monitorUrl?: string;
  /** Reads one /varz (tests inject one); default: HTTP GET with a timeout. */
  fetchVarz?: (varzUrl: string) => Promise<unknown>;
  /** Per /varz request, for the default fetch. Default 3 s. */
  timeoutMs?: number;
}

/** The nats-server default when `sync_interval` is not set (filestore `defaultSyncInterval`). */
const DEFAULT_SYNC_INTERVAL = '2m';
const HOW_TO = 'run nats-server 2.10 or later with jetstream { sync_interval: always } (docs/nats.md)';
const PROCESS_CRASH = 'a crash of the nats-server process alone loses nothing, the OS page cache keeps them';

export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
}

/** `2.10.22`, `v2.9.10`, `2.11.0-RC.1` → numbers; anything else → undefined. */
export function parseServerVersion(version: string | undefined): ServerVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version?.trim() ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** `sync_interval` (and with it `always`) arrived in nats-server 2.10. */
export function canSyncEachWrite(v: ServerVersion): boolean {
  return v.major > 2 || (v.major === 2 && v.minor >= 10);
}

/** A Go duration in nanoseconds as `2m`, `1h`, `30s`, `1.5s`, `500ms`. */
export function formatNanos(ns: number): string {
  const ms = ns / 1e6;
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

function serverLabel(version: string | undefined, name?: string): string {
  const v = version ?? 'of unknown version';
  return name ? `nats-server ${name} (${v})` : `nats-server ${v}`;
}

/** The verdict for a server older than 2.10: it has no way to sync each write. */
function tooOld(label: string): DurabilityVerdict {
  return {
    synced: false,
    detail:
      `${label} cannot sync each JetStream write to disk (sync_interval arrived in 2.10): acknowledged writes ` +
      `since its last flush, up to 2 minutes of them, may be lost on a power loss or OS crash; ${PROCESS_CRASH}. ` +
      `To close that window, ${HOW_TO}.`,
  };
}

/**
 * The verdict of one /varz answer. `fallbackVersion` is used when the answer names no version (the connected
 * server's, when /varz is that same server).
 */
export function interpretVarz(varz: unknown, fallbackVersion?: string): DurabilityVerdict {
  const v = (varz && typeof varz === 'object' ? varz : {}) as Varz;
  const version = typeof v.version === 'string' ? v.version : fallbackVersion;
  const label = serverLabel(version, typeof v.server_name === 'string' ? v.server_name : undefined);
  const parsed = parseServerVersion(version);
  if (parsed && !canSyncEachWrite(parsed)) return tooOld(label);
  const config = v.jetstream?.config;
  if (!config || typeof config !== 'object') {
    return { synced: 'unknown', detail: `${label}: /varz shows no JetStream configuration (is JetStream on?)` };
  }
  if (config.sync_always === true) {
    return {
      synced: true,
      detail: `${label} syncs each JetStream write to disk before acknowledging it (sync_interval: always)`,
    };
  }
  const raw = config.sync_interval;
  const interval =
    typeof raw === 'number' && raw > 0
      ? formatNanos(raw)
      : typeof raw === 'string' && raw.trim() !== ''
        ? raw.trim()
        : undefined;
  if (!interval && !parsed) {
    // Without a version, no sync field may mean a server that predates them as well as the default.
    return { synced: 'unknown', detail: `${label}: /varz does not say whether JetStream writes are synced; ${HOW_TO}` };
  }
  const every = interval
    ? `every ${interval} (sync_interval)`
    : `every ${DEFAULT_SYNC_INTERVAL} (no sync_interval set: the default)`;
  return {
    synced: false,
    detail:
      `${label} syncs JetStream writes to disk ${every}, not before acknowledging them: acknowledged writes not ` +
      `yet synced, up to ${interval ?? DEFAULT_SYNC_INTERVAL} of them, may be lost on a power loss or OS crash; ` +
      `${PROCESS_CRASH}. Set jetstream { sync_interval: always } to close that window (docs/nats.md).`,
  };
}

/** `http://host:8222` → `http://host:8222/varz`; a URL already ending in /varz is kept. */
export function varzUrl(monitorUrl: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(monitorUrl) ? monitorUrl : `http://${monitorUrl}`;
  const url = new URL(withScheme);
  if (!url.pathname.replace(/\/+$/, '').endsWith('/varz')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/varz`;
  }
  return url.toString();
}

/** GET /varz as JSON, within `timeoutMs`. */
export async function fetchVarzJson(url: string, timeoutMs = 3000): Promise<unknown> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

function reason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  const text = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/** Checks every monitoring endpoint given (or, without one, judges by the version alone). */
export async function checkJetStreamDurability(options: DurabilityCheckOptions): Promise<DurabilityVerdict> {
  const { serverVersion } = options;
  const parsed = parseServerVersion(serverVersion);
  // The connected server alone decides when it cannot sync at all.
  if (parsed && !canSyncEachWrite(parsed)) return tooOld(serverLabel(serverVersion));
  const monitors = (options.monitorUrl ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (monitors.length === 0) {
    const label = serverLabel(serverVersion);
    return {
      synced: 'unknown',
      detail: parsed
        ? `${label} can sync each JetStream write (sync_interval: always) but Sluice cannot see whether it does: ` +
          'give --nats-monitor http://<nats host>:8222 (or NATS_MONITOR_URL; nats-server -m 8222 serves it) to ' +
          'check, or see docs/nats.md'
        : `${label}: cannot tell whether it syncs JetStream writes before acknowledging them; ${HOW_TO}`,
    };
  }
  const read = options.fetchVarz ?? ((url: string) => fetchVarzJson(url, options.timeoutMs));
  const verdicts = await Promise.all(
    monitors.map(async (monitor): Promise<DurabilityVerdict> => {
      let url: string;
      try {
        url = varzUrl(monitor);
      } catch {
        return { synced: 'unknown', detail: `"${redactUrl(monitor)}" is not a monitoring URL (http://host:8222)` };
      }
      try {
        return interpretVarz(await read(url), monitors.length === 1 ? serverVersion : undefined);
      } catch (err) {
        return {
          synced: 'unknown',
          detail: `could not read ${redactUrl(url)} (${reason(err)}), so cannot tell whether JetStream writes are synced`,
        };
      }
    }),
  );
  return combine(verdicts);
}

/** Synced only when every server is; not synced when any is not; otherwise unknown. */
export function combine(verdicts: readonly DurabilityVerdict[]): DurabilityVerdict {
  if (verdicts.length === 1) return verdicts[0]!;
  const synced: Synced = verdicts.every((v) => v.synced === true)
    ? true
    : verdicts.some((v) => v.synced === false)
      ? false
      : 'unknown';
  const shown = synced === true ? verdicts : verdicts.filter((v) => v.synced !== true);
  return { synced, detail: shown.map((v) => v.detail).join(' | ') };
}

/** What `warnIfUnsynced` needs of a NatsLink: the server's INFO. */
export interface ServerInfoSource {
  nc: { info?: { version?: string } };
}

/**
 * Runs the check once and logs one line: `warn` when acknowledged writes are not synced (or that cannot be
 * told), `info` when they are. Never throws; a /varz that cannot be read is 'unknown'.
 */
export async function warnIfUnsynced(
  link: ServerInfoSource,
  options: Omit<DurabilityCheckOptions, 'serverVersion'>,
  logger: Pick<ProcessorLogger, 'warn' | 'info'> | undefined,
): Promise<DurabilityVerdict> {
  let verdict: DurabilityVerdict;
  let serverVersion: string | undefined;
  try {
    serverVersion = link.nc.info?.version;
    verdict = await checkJetStreamDurability({ ...options, serverVersion });
  } catch (err) {
    verdict = { synced: 'unknown', detail: `the JetStream durability check failed (${reason(err)})` };
  }
  try {
    const fields = { nats: { synced: verdict.synced, version: serverVersion } };
    if (verdict.synced === true) logger?.info(fields, `NATS: ${verdict.detail}`);
    else logger?.warn(fields, `NATS: acknowledged JetStream writes may not be on disk: ${verdict.detail}`);
  } catch {
    // A logger that throws must not stop the process from starting.
  }
  return verdict;
}
