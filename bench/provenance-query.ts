/**
 * The provenance repository under load: fills a temporary LmdbProvenanceStore with N events (default
 * 10,000,000) the way a running flow does (sessions of ~100 events, a few attributes each, ~20 components,
 * FlowFiles passing CREATE → ATTRIBUTES_MODIFIED → ROUTE → DROP with the odd FORK), then measures queries.
 *
 *   node --import tsx bench/provenance-query.ts [events]
 *
 * Prints the append rate, the main-thread cost of stage() and of the indexer (after commit), the size on disk, p50/p99 latency of queries by
 * FlowFile id, by component (limit 100), by type, by the last minute, get, lineage, and RSS.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FlowFile, newFlowFile, withAttributes } from '../server/engine/flowfile';
import type { ProvenanceEventType } from '../server/engine/provenance';
import { ProvenanceBatch } from '../server/engine/provenance-batch';
import { LmdbProvenanceStore } from '../server/storage/provenance-repository/lmdb-provenance-store';

const total = Number(process.argv[2] ?? 10_000_000);
const BATCHES_PER_TXN = 10;
const IN_FLIGHT = 4;
const SAMPLES = 200;

const stages = [
  { type: 'CREATE', components: ['gen-0', 'gen-1'], componentType: 'GenerateFlowFile' },
  { type: 'ATTRIBUTES_MODIFIED', components: range(2, 10).map((i) => `update-${i}`), componentType: 'UpdateAttribute' },
  { type: 'ROUTE', components: range(10, 18).map((i) => `route-${i}`), componentType: 'RouteOnAttribute' },
  { type: 'DROP', components: ['sink-18', 'sink-19'], componentType: 'LogAttribute' },
] as const;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

let seed = 42;
function random(): number {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** FlowFiles waiting for each stage after the first. */
const waiting: FlowFile[][] = [[], [], []];
const sampleIds: string[] = [];
let made = 0;
let stageIndex = 0;

function nextBatch(): ProvenanceBatch {
  const size = 50 + Math.floor(random() * 101);
  for (;;) {
    const k = stageIndex;
    const s = stages[k]!;
    stageIndex = (stageIndex + 1) % stages.length;
    const batch = new ProvenanceBatch(Date.now(), 'bench', pick(s.components), s.componentType);
    if (s.type === 'CREATE') {
      for (let i = 0; i < size; i++) {
        const ff = newFlowFile('', { 'mime.type': 'application/json', 'batch.index': String(made++) });
        batch.add('CREATE', ff, 'success');
        waiting[0]!.push(ff);
        if (made % 997 === 0) sampleIds.push(ff.id);
      }
      return batch;
    }
    const queue = waiting[k - 1]!;
    if (queue.length === 0) continue;
    for (const ff of queue.splice(0, size)) {
      if (s.type === 'DROP') {
        batch.add('DROP', ff, 'success');
        continue;
      }
      const next = withAttributes(ff, s.type === 'ROUTE' ? { 'route.name': 'matched' } : { processed: 'true' });
      if (s.type === 'ATTRIBUTES_MODIFIED' && random() < 0.02) {
        const kids = [newFlowFile('', next.attributes), newFlowFile('', next.attributes)];
        batch.add('FORK', next, undefined, { childIds: kids.map((c) => c.id) });
        for (const c of kids) batch.add('CREATE', c, 'split');
        waiting[k]!.push(...kids);
        batch.add('DROP', next, 'original');
        continue;
      }
      batch.add(s.type as ProvenanceEventType, next, s.type === 'ROUTE' ? 'matched' : 'success');
      waiting[k]!.push(next);
    }
    return batch;
  }
}

function dirBytes(dir: string): { size: number; allocated: number } {
  let size = 0;
  let allocated = 0;
  for (const f of readdirSync(dir)) {
    const st = statSync(path.join(dir, f));
    size += st.size;
    allocated += st.blocks * 512;
  }
  return { size, allocated };
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return `p50 ${at(0.5).toFixed(2)} ms  p99 ${at(0.99).toFixed(2)} ms  max ${sorted.at(-1)!.toFixed(2)} ms`;
}

/** Query latencies by name (p50, p99, max in ms), printed as the last line for `npm run bench`. */
const summary: Record<string, { p50: number; p99: number; max: number }> = {};

function measure(name: string, run: () => number): void {
  const times: number[] = [];
  let results = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    results += run();
    times.push(performance.now() - t);
  }
  console.log(`${name.padEnd(34)} ${percentiles(times)}  (avg ${(results / SAMPLES).toFixed(1)} results)`);
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(2));
  summary[name] = { p50: at(0.5), p99: at(0.99), max: at(1) };
}

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-prov-bench-'));
  const store = LmdbProvenanceStore.open(dir);
  try {
    console.log(`filling ${total.toLocaleString()} events into ${dir}`);
    const started = performance.now();
    let staged = 0;
    let stageMs = 0;
    let lastReport = started;
    const pending = new Set<Promise<void>>();
    while (staged < total) {
      const batches: ProvenanceBatch[] = [];
      for (let b = 0; b < BATCHES_PER_TXN && staged < total; b++) {
        const batch = nextBatch();
        batches.push(batch);
        staged += batch.length;
      }
      const txn = store.transaction(() => {
        const t = performance.now();
        for (const batch of batches) store.stage(batch);
        stageMs += performance.now() - t;
      });
      pending.add(txn);
      void txn.finally(() => pending.delete(txn));
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        const s = (lastReport - started) / 1000;
        console.log(`  ${staged.toLocaleString()} events, ${Math.round(staged / s).toLocaleString()} events/s`);
      }
    }
    await Promise.all(pending);
    // Indexes are built after commit: the fill is done when they are.
    await store.flushIndex();
    const seconds = (performance.now() - started) / 1000;
    const disk = dirBytes(dir);
    console.log(`appended ${staged.toLocaleString()} events in ${seconds.toFixed(1)} s`);
    console.log(`append rate                        ${Math.round(staged / seconds).toLocaleString()} events/s`);
    console.log(`stage() on the main thread         ${((stageMs * 1000) / staged).toFixed(2)} µs/event`);
    const stats = store.stats();
    console.log(`indexer on the main thread         ${((stats.indexMs * 1000) / staged).toFixed(2)} µs/event`);
    console.log(`store size on disk                 ${mb(disk.allocated)} (file ${mb(disk.size)})`);
    console.log(`bytes counted for retention        ${mb(stats.bytes)}`);
    console.log(`FlowFile index segments            ${stats.segments} (filters ${mb(stats.filterBytes)} in memory)`);

    const components = stages.flatMap((s) => s.components);
    const types: ProvenanceEventType[] = ['CREATE', 'ATTRIBUTES_MODIFIED', 'ROUTE', 'DROP', 'FORK'];
    measure('query by flowFileId', () => store.query({ flowFileId: pick(sampleIds) }).length);
    measure('query by componentId (limit 100)', () => store.query({ componentId: pick(components) }).length);
    measure('query by type (limit 100)', () => store.query({ type: pick(types) }).length);
    measure('query by type + component', () => store.query({ type: 'FORK', componentId: pick(components) }).length);
    const now = Date.now();
    measure('query last minute (limit 100)', () => store.query({ from: now - 60_000, to: now }).length);
    measure('get(eventId)', () => (store.get(1 + Math.floor(random() * (stats.nextEventId - 1))) ? 1 : 0));
    measure('lineage', () => store.lineage(pick(sampleIds)).events.length);
    const mem = process.memoryUsage();
    console.log(`RSS ${mb(mem.rss)}  heap used ${mb(mem.heapUsed)}`);
    console.log(JSON.stringify({ events: staged, eventsPerSecond: Math.round(staged / seconds), queriesMs: summary }));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
