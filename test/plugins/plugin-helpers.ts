/** A `sluice serve` child process for the plugin tests, and the flow they run through GeoEnrich. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { freePort } from '../helpers/ports';
import { exited } from '../helpers/processes';
import { waitFor } from '../helpers/wait-for';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/sluice.mjs');
export const GEO_ENRICH = path.join(ROOT, 'plugins/geo-enrich');

export interface Served {
  base: string;
  /** Everything the server logged so far (JSON lines on stderr). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `sluice serve` (memory queues, no example flows) with `args`; resolves once /healthz answers. */
export async function serve(args: string[]): Promise<Served> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--queues', 'memory', '--no-examples', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json', SLUICE_TOKEN: '', SLUICE_PLUGINS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited(child);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`sluice serve exited ${child.exitCode}: ${stderr}`);
        return (await fetch(`${base}/healthz`).catch(() => undefined))?.ok;
      },
      'sluice serve to answer',
      30_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { base, stderr: () => stderr, stop };
}

/** `sluice <args>` to its end. */
export function sluice(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', SLUICE_PLUGINS: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function api<T>(base: string, route: string, init?: { method: string; body?: unknown }): Promise<T> {
  const res = await fetch(`${base}/api${route}`, {
    method: init?.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${route}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Two FlowFiles at the Eiffel Tower and one with a latitude that is not a number, through GeoEnrich (distances
 * from London): successes end at a logger, the failure waits in front of a disabled processor.
 */
export function geoFlow(id: string) {
  const at = { x: 0, y: 0 };
  return {
    schemaVersion: 1,
    id,
    name: 'GeoEnrich from a plugin',
    processors: [
      {
        id: 'here',
        type: 'GenerateFlowFile',
        position: at,
        config: { content: 'here', attributes: { lat: '48.8584', lon: '2.2945' }, count: 2 },
        schedule: { period: '20ms' },
      },
      {
        id: 'nowhere',
        type: 'GenerateFlowFile',
        position: at,
        config: { content: 'nowhere', attributes: { lat: 'north', lon: '2' }, count: 1 },
        schedule: { period: '20ms' },
      },
      {
        id: 'geo',
        type: 'GeoEnrich',
        position: at,
        config: { precision: 7, referenceLatitude: 51.5074, referenceLongitude: -0.1278 },
      },
      { id: 'done', type: 'LogAttribute', position: at, config: {}, autoTerminate: ['success'] },
      { id: 'held', type: 'LogAttribute', position: at, config: {}, autoTerminate: ['success'], disabled: true },
    ],
    connections: [
      { id: 'here-geo', source: 'here', relationships: ['success'], target: 'geo' },
      { id: 'nowhere-geo', source: 'nowhere', relationships: ['success'], target: 'geo' },
      { id: 'geo-done', source: 'geo', relationships: ['success'], target: 'done' },
      { id: 'geo-failed', source: 'geo', relationships: ['failure'], target: 'held' },
    ],
  };
}

interface ProvenanceEvent {
  componentId: string;
  flowFileId: string;
  relationship?: string;
  attributes: Record<string, string>;
}

/**
 * Posts and starts the GeoEnrich flow and checks what came out of it through the API: the two enriched FlowFiles
 * in provenance, the failed one waiting in its queue with the reason, and the processor's counters.
 */
export async function runGeoFlow(base: string, id: string): Promise<void> {
  const created = await api<{ valid?: boolean; issues?: unknown }>(base, '/flows', {
    method: 'POST',
    body: geoFlow(id),
  });
  expect(created.issues ?? []).toEqual([]);
  await api(base, `/flows/${id}/start`, { method: 'POST' });
  const queue = await waitFor(
    async () => {
      const q = await api<{ count: number; flowFiles: { attributes: Record<string, string> }[] }>(
        base,
        `/flows/${id}/connections/geo-failed/queue`,
      );
      return q.count === 1 ? q : undefined;
    },
    'the failed FlowFile in its queue',
    20_000,
  );
  expect(queue!.flowFiles[0]!.attributes['geo.error']).toBe('attribute "lat" is not a number: "north"');
  const enriched = await waitFor(
    async () => {
      const events = await api<ProvenanceEvent[]>(base, `/provenance?flowId=${id}&componentId=done&limit=100`);
      const seen = new Map(events.filter((e) => e.attributes['geo.geohash']).map((e) => [e.flowFileId, e]));
      return seen.size === 2 ? [...seen.values()] : undefined;
    },
    'two enriched FlowFiles at the logger',
    20_000,
  );
  for (const e of enriched!) {
    expect(e.attributes['geo.geohash']).toBe('u09tunq');
    expect(Number(e.attributes['geo.distance.km'])).toBeGreaterThan(335);
    expect(Number(e.attributes['geo.distance.km'])).toBeLessThan(345);
  }
  const status = await api<{ processors: Record<string, { in: number; out: number }> }>(base, `/flows/${id}/status`);
  expect(status.processors.geo!.in).toBe(3);
}
