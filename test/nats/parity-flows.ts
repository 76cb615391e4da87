/**
 * The parity suite's flows and harness: each flow runs as a real `node bin/sluice.mjs run` process, in memory,
 * on the durable repository (--data) and on a real nats-server (--nats), and what its PutFile sinks wrote is
 * summarized the same way in every mode (files, records, a sum and a sha256 of the sorted records), so the
 * modes can be compared exactly.
 *
 * Inputs are JSON lines `{"k":…,"v":…}` in one file (GetFile → SplitText), so the source side is quick and
 * every FlowFile carries a number to sum.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type NatsServerHandle, startNats } from '../helpers/nats-server';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type Mode = 'memory' | 'durable' | 'nats';

// ---------------------------------------------------------------------------------------------------------------
// Processes and temporary resources, all released by `cleanup()`.

const children = new Set<ChildProcess>();
const servers = new Set<NatsServerHandle>();
const dirs = new Set<string>();

export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `sluice-parity-${label}-`));
  dirs.add(dir);
  return dir;
}

/** A fresh nats-server (JetStream on a temporary store) for one case. */
export async function freshNats(): Promise<NatsServerHandle> {
  const nats = await startNats();
  servers.add(nats);
  return nats;
}

/** Kills every engine process still running (by PID), stops every nats-server, removes every temp dir. */
export async function cleanup(): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      process.kill(child.pid, 'SIGKILL');
  }
  children.clear();
  await Promise.allSettled([...servers].map((s) => s.stop()));
  servers.clear();
  await Promise.allSettled([...dirs].map((d) => rm(d, { recursive: true, force: true })));
  dirs.clear();
}

// ---------------------------------------------------------------------------------------------------------------
// `sluice run` as a child process.

export interface RunOptions {
  mode: Mode;
  /** --nats URL (mode nats). */
  natsUrl?: string;
  /** --data DIR (mode durable). */
  dataDir?: string;
  /** --until-idle (default true); otherwise the run lasts `timeout`. */
  untilIdle?: boolean;
  timeout?: string;
  /** Killed with SIGKILL if still running after this long (ms); default: timeout + 60 s. */
  killAfterMs?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The final status `run` printed (undefined if it printed none). */
  status: any;
  stdout: string;
  stderr: string;
  ms: number;
}

export function sluiceArgs(flowFile: string, o: RunOptions): string[] {
  const args = ['bin/sluice.mjs', 'run', flowFile, '--timeout', o.timeout ?? '90s'];
  if (o.untilIdle !== false) args.push('--until-idle');
  if (o.mode === 'nats') {
    if (!o.natsUrl) throw new Error('mode nats needs natsUrl');
    args.push('--nats', o.natsUrl);
  }
  if (o.mode === 'durable') {
    if (!o.dataDir) throw new Error('mode durable needs dataDir');
    args.push('--data', o.dataDir);
  }
  return args;
}

export function runSluice(flowFile: string, o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const child = spawn(process.execPath, sluiceArgs(flowFile, o), {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', NATS_URL: '', SLUICE_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-100_000);
  });
  const limit = o.killAfterMs ?? durationMs(o.timeout ?? '90s') + 60_000;
  const killer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, limit);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      children.delete(child);
      const start = stdout.indexOf('{');
      let status: any;
      try {
        status = start >= 0 ? JSON.parse(stdout.slice(start)) : undefined;
      } catch {
        status = undefined;
      }
      resolve({ code, signal, status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function durationMs(text: string): number {
  const m = /^(\d+)\s*(ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`unsupported duration ${text}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

/** A compact view of a status for failure messages: per processor in/out/errors, per connection count. */
export function brief(status: any): string {
  if (!status) return 'no status';
  const ps = Object.entries(status.processors as Record<string, any>).map(
    ([id, p]) => `${id} in ${p.in} out ${p.out}${p.errors ? ` errors ${p.errors}` : ''}`,
  );
  const cs = Object.entries(status.connections as Record<string, any>).map(([id, c]) => `${id} ${c.count}`);
  const bulletins = Object.entries(status.processors as Record<string, any>).flatMap(([id, p]) =>
    (p.bulletins as { message: string }[]).slice(-2).map((b) => `${id}: ${b.message.slice(0, 300)}`),
  );
  return `${ps.join(', ')} | queued ${cs.join(', ')}${bulletins.length ? ` | ${bulletins.join(' | ')}` : ''}`;
}

/** Explains a run for an assertion message. */
export function describeRun(label: string, r: RunResult): string {
  return `${label}: exit ${r.code ?? r.signal} after ${r.ms} ms; ${brief(r.status)}\nstderr: ${r.stderr.slice(-1500)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs and outputs.

/** Writes `count` JSON lines made by `line(i)` to `file` (its directory created). */
export async function writeLines(file: string, count: number, line: (i: number) => object): Promise<Buffer> {
  await mkdir(path.dirname(file), { recursive: true });
  const parts = new Array<string>(count);
  for (let i = 0; i < count; i++) parts[i] = `${JSON.stringify(line(i))}\n`;
  const content = Buffer.from(parts.join(''));
  await writeFile(file, content);
  return content;
}

/** Copies an input directory for one run (GetFile deletes what it reads). */
export async function copyInput(from: string, to: string): Promise<string> {
  await cp(from, to, { recursive: true });
  return to;
}

export interface Summary {
  /** Files the sink wrote (hidden temporaries skipped). */
  files: number;
  /** Records: non-empty lines over all files (one per FlowFile that reached the sink). */
  records: number;
  /** Sum of the numeric field `field` over all records. */
  sum: number;
  /** sha256 of the sorted records (each prefixed with its file name when `withNames`). */
  sha256: string;
}

export async function summarize(dir: string, options: { field: string; withNames?: boolean }): Promise<Summary> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => !f.startsWith('.'));
  const records: string[] = [];
  let sum = 0;
  for (const f of files) {
    const text = await readFile(path.join(dir, f), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      records.push(options.withNames ? `${f}\t${line}` : line);
      const value = (JSON.parse(line) as Record<string, unknown>)[options.field];
      sum += typeof value === 'number' ? value : Number(value);
    }
  }
  records.sort();
  const sha256 = createHash('sha256').update(records.join('\n')).digest('hex');
  return { files: files.length, records: records.length, sum, sha256 };
}

export function sha256(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

export async function writeFlow(dir: string, name: string, flow: object): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(flow, null, 2));
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// Flows. Processor and connection ids are stable, so two flow files with one flow id share their queues.

const retry = { penalty: '1s' };

function getFile(directory: string, extra: object = {}) {
  return { id: 'get', type: 'GetFile', config: { directory }, schedule: retry, ...extra };
}

function splitLines(extra: object = {}, config: object = {}) {
  return {
    id: 'split',
    type: 'SplitText',
    config: { lineCount: 1, removeTrailingNewlines: true, ...config },
    autoTerminate: ['original', 'failure'],
    schedule: retry,
    ...extra,
  };
}

function putFile(id: string, directory: string) {
  return {
    id,
    type: 'PutFile',
    config: { directory, conflictResolution: 'unique', batchSize: 1000 },
    autoTerminate: ['success', 'failure'],
    schedule: retry,
  };
}

/**
 * GetFile of N JSON lines → SplitText (lineCount 1) → EvaluateJSONata (each split becomes one record of its
 * fragment attributes and content) → MergeContent (bundles of up to 10,000 records, one per line) → PutFile.
 * The sink writes few files; each line in them is one FlowFile that reached it.
 */
export function splitFlow(id: string, inDir: string, outDir: string) {
  return {
    schemaVersion: 1,
    id,
    name: id,
    processors: [
      getFile(inDir),
      splitLines(),
      {
        id: 'record',
        type: 'EvaluateJSONata',
        config: {
          expressions: {
            record:
              '$string({"i": $number(attributes.`fragment.index`), "n": $number(attributes.`fragment.count`), "of": attributes.`segment.original.filename`, "k": content.k, "v": content.v})',
          },
          destination: 'content',
          batchSize: 1000,
        },
        autoTerminate: ['unmatched', 'failure'],
        schedule: retry,
      },
      {
        id: 'bundle',
        type: 'MergeContent',
        config: { minEntries: 10_000, maxEntries: 10_000, maxBins: 1, maxBinAge: '2s', demarcator: '\n', footer: '\n' },
        autoTerminate: ['original', 'failure'],
        schedule: retry,
      },
      putFile('sink', outDir),
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], target: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], target: 'record' },
      { id: 'c3', source: 'record', relationships: ['matched'], target: 'bundle' },
      { id: 'c4', source: 'bundle', relationships: ['merged'], target: 'sink' },
    ],
  };
}

/**
 * GetFile → SplitText (lineCount 1, line breaks kept: the splits concatenate back to the original) →
 * MergeContent (defragment) → PutFile: the sink writes the original file again, under its name. Fragments
 * MergeContent refuses (duplicates, incomplete sets) go to a second PutFile, `failed`.
 *
 * `part`: "all" runs the whole flow; "split" leaves MergeContent disabled (the fragments wait in c2);
 * "merge" leaves GetFile and SplitText disabled (a fresh process merges what waits in c2).
 */
export function defragmentFlow(
  id: string,
  dirs: { inDir: string; outDir: string; failedDir: string },
  part: 'all' | 'split' | 'merge',
) {
  const off = (on: boolean) => (on ? {} : { disabled: true });
  return {
    schemaVersion: 1,
    id,
    name: id,
    processors: [
      getFile(dirs.inDir, off(part !== 'merge')),
      splitLines(off(part !== 'merge'), { removeTrailingNewlines: false }),
      {
        id: 'merge',
        type: 'MergeContent',
        // One set of up to 100,000 fragments; an incomplete set waits (maxBinAge 0s: never fails for age).
        config: { mergeStrategy: 'defragment', maxEntries: 100_000, maxBins: 1, maxBinAge: '0s' },
        autoTerminate: ['original'],
        schedule: retry,
        ...off(part !== 'split'),
      },
      putFile('sink', dirs.outDir),
      putFile('failed', dirs.failedDir),
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], target: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], target: 'merge' },
      { id: 'c3', source: 'merge', relationships: ['merged'], target: 'sink' },
      { id: 'c4', source: 'merge', relationships: ['failure'], target: 'failed' },
    ],
  };
}

/**
 * GenerateFlowFile (3 events, one key) → WindowAggregate (a processing-time window of an hour: still open
 * when the flow is idle, so it is emitted when the processor stops) → PutFile. `generate: false` disables
 * the source (a later run that generates nothing: only a leftover pane could reach the sink).
 */
export function windowFlow(id: string, outDir: string, options: { generate?: boolean } = {}) {
  return {
    schemaVersion: 1,
    id,
    name: id,
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        config: { content: '{"sensor":"a","value":2}', count: 3, batchSize: 3 },
        ...(options.generate === false && { disabled: true }),
      },
      {
        id: 'window',
        type: 'WindowAggregate',
        config: {
          windowType: 'tumbling',
          size: '1h',
          timeSource: 'processing',
          key: 'content.sensor',
          aggregations: { total: { op: 'sum', value: 'content.value' } },
        },
        autoTerminate: ['late', 'failure'],
      },
      putFile('sink', outDir),
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: 'window' },
      { id: 'c2', source: 'window', relationships: ['success'], target: 'sink' },
    ],
  };
}

export const PRIORITIZERS = ['fifo', 'newest-first', 'priority-attribute'] as const;

/**
 * GetFile → SplitText → UpdateAttribute (filename := fragment index, priority := k mod 10) → three connections
 * out of one relationship, one per prioritizer, each to its own PutFile: every split arrives three times, as
 * a file named after its index.
 */
export function fanOutFlow(id: string, inDir: string, outDirs: Record<(typeof PRIORITIZERS)[number], string>) {
  return {
    schemaVersion: 1,
    id,
    name: id,
    processors: [
      getFile(inDir),
      splitLines(),
      {
        id: 'tag',
        type: 'UpdateAttribute',
        config: {
          attributes: {
            filename: 'attributes.`fragment.index` & ".json"',
            priority: '$string(content.k % 10)',
          },
          batchSize: 1000,
        },
        autoTerminate: ['failure'],
        schedule: retry,
      },
      ...PRIORITIZERS.map((p) => putFile(`sink-${p}`, outDirs[p])),
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], target: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], target: 'tag' },
      ...PRIORITIZERS.map((p) => ({
        id: `to-${p}`,
        source: 'tag',
        relationships: ['success'],
        target: `sink-${p}`,
        prioritizer: p,
      })),
    ],
  };
}

/**
 * GetFile → SplitText → UpdateAttribute (filename := uuid) → DetectDuplicate (key content.k) → PutFile per
 * outcome: `unique` gets the first FlowFile of each key, `duplicates` the rest.
 */
export function dedupeFlow(id: string, inDir: string, dirs: { unique: string; duplicates: string }) {
  return {
    schemaVersion: 1,
    id,
    name: id,
    processors: [
      getFile(inDir),
      splitLines(),
      {
        id: 'name',
        type: 'UpdateAttribute',
        config: { attributes: { filename: 'attributes.uuid & ".json"' }, batchSize: 1000 },
        autoTerminate: ['failure'],
        schedule: retry,
      },
      {
        id: 'dedupe',
        type: 'DetectDuplicate',
        config: { key: '$string(content.k)', window: '1h', batchSize: 1000 },
        autoTerminate: ['failure'],
        schedule: retry,
      },
      putFile('unique', dirs.unique),
      putFile('duplicates', dirs.duplicates),
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], target: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], target: 'name' },
      { id: 'c3', source: 'name', relationships: ['success'], target: 'dedupe' },
      { id: 'c4', source: 'dedupe', relationships: ['non-duplicate'], target: 'unique' },
      { id: 'c5', source: 'dedupe', relationships: ['duplicate'], target: 'duplicates' },
    ],
  };
}

/**
 * GetFile → SplitText → UpdateAttribute (filename := fragment index) → PutFile, with the connection out of
 * SplitText allowed `objects` FlowFiles before backpressure (above the default 10,000 on the others), as a
 * user sets it for a large split.
 */
export function thresholdFlow(id: string, inDir: string, outDir: string, objects: number) {
  return {
    schemaVersion: 1,
    id,
    name: id,
    processors: [
      getFile(inDir),
      splitLines(),
      {
        id: 'tag',
        type: 'UpdateAttribute',
        config: { attributes: { filename: 'attributes.`fragment.index` & ".json"' }, batchSize: 1000 },
        autoTerminate: ['failure'],
        schedule: retry,
      },
      putFile('sink', outDir),
    ],
    connections: [
      { id: 'c1', source: 'get', relationships: ['success'], target: 'split' },
      { id: 'c2', source: 'split', relationships: ['splits'], target: 'tag', backPressure: { objects } },
      { id: 'c3', source: 'tag', relationships: ['success'], target: 'sink' },
    ],
  };
}
