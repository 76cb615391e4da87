/**
 * Engine processes for the NATS tests: `node bin/sluice.mjs run FLOW --nats URL ...` as a real child process
 * (so it can be killed with SIGKILL), plus the flow those tests share, whose sink writes one line per FlowFile
 * (its id and source file name), so losses and duplicates can be counted from the output directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface EngineProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runEngine(flowFile: string, natsUrl: string, extra: string[] = []): EngineProcess {
  const child = spawn(process.execPath, ['bin/sluice.mjs', 'run', flowFile, '--nats', natsUrl, ...extra], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', NATS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err = (err + d).slice(-200_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The final status a `run` printed (the JSON document on stdout). */
export function finalStatus(engine: EngineProcess): any {
  const text = engine.stdout();
  const start = text.indexOf('{');
  if (start < 0) throw new Error(`no status printed; stderr:\n${engine.stderr().slice(-3000)}`);
  return JSON.parse(text.slice(start));
}

/** Polls `check`; fails early when a watched engine exits meanwhile (with its stderr). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  options: { timeoutMs?: number; engines?: EngineProcess[] } = {},
) {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!(await check())) {
    const gone = options.engines?.find((e) => e.child.exitCode !== null || e.child.signalCode !== null);
    if (gone) throw new Error(`engine exited while waiting for ${what}:\n${gone.stderr().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface IdFlowOptions {
  id: string;
  /** The source processor: GetFile, GenerateFlowFile, ... (id "source"). */
  source: { type: string; config: object; schedule?: object };
  outDir: string;
  /** MergeContent waits for this many FlowFiles per bundle (up to `maxBinAge`), holding them unacknowledged. */
  minEntries?: number;
  /** Default 2s. */
  maxBinAge?: string;
  /** Split the source's FlowFiles into one per line (SplitText) and label each by its line. */
  splitLines?: boolean;
}

/**
 * source → EvaluateJsonata (content := uuid + " " + filename) → MergeContent (bundles of up to 1,000 lines) →
 * PutFile: the sink writes few files, and each line in them names one FlowFile that reached it.
 */
export function idFlow(o: IdFlowOptions) {
  const retry = { penalty: '1s' };
  const split = {
    id: 'split',
    type: 'SplitText',
    config: { lineCount: 1, removeTrailingNewlines: true },
    autoTerminate: ['original', 'failure'],
    schedule: retry,
  };
  const name = o.splitLines ? '$trim($string(content))' : 'attributes.filename';
  return {
    schemaVersion: 1,
    id: o.id,
    name: o.id,
    processors: [
      { id: 'source', ...o.source },
      ...(o.splitLines ? [split] : []),
      {
        id: 'label',
        type: 'EvaluateJSONata',
        config: { expressions: { line: `attributes.uuid & " " & ${name}` }, destination: 'content' },
        autoTerminate: ['unmatched', 'failure'],
        schedule: retry,
      },
      {
        id: 'bundle',
        type: 'MergeContent',
        config: {
          minEntries: o.minEntries ?? 1,
          maxEntries: 1000,
          demarcator: '\n',
          footer: '\n',
          maxBinAge: o.maxBinAge ?? '2s',
        },
        autoTerminate: ['original', 'failure'],
        schedule: retry,
      },
      {
        id: 'sink',
        type: 'PutFile',
        config: { directory: o.outDir, conflictResolution: 'unique' },
        autoTerminate: ['success', 'failure'],
        schedule: retry,
      },
    ],
    connections: [
      ...(o.splitLines
        ? [
            { id: 'c0', source: 'source', relationships: ['success'], target: 'split' },
            { id: 'c1', source: 'split', relationships: ['splits'], target: 'label' },
          ]
        : [{ id: 'c1', source: 'source', relationships: ['success'], target: 'label' }]),
      { id: 'c2', source: 'label', relationships: ['matched'], target: 'bundle' },
      { id: 'c3', source: 'bundle', relationships: ['merged'], target: 'sink' },
    ],
  };
}

export async function writeJson(file: string, value: unknown): Promise<string> {
  await writeFile(file, JSON.stringify(value, null, 2));
  return file;
}

/** `count` small files named f-00000 … in `dir`. */
export async function seedFiles(dir: string, count: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names = Array.from({ length: count }, (_, i) => `f-${String(i).padStart(5, '0')}`);
  for (let i = 0; i < names.length; i += 500)
    await Promise.all(names.slice(i, i + 500).map((n) => writeFile(path.join(dir, n), `payload of ${n}\n`)));
  return names;
}

export interface Delivered {
  /** Lines written by the sink, one per FlowFile that reached it. */
  lines: number;
  /** Source name (the "filename" attribute, or the line with `splitLines`) → times it arrived. */
  bySource: Map<string, number>;
  /** FlowFile id → times it arrived. */
  byId: Map<string, number>;
}

/** Reads what the sink of `idFlow` wrote: lines "<uuid> <name>" in bundle files (hidden temporaries skipped). */
export async function delivered(outDir: string): Promise<Delivered> {
  const files = (await readdir(outDir).catch(() => [] as string[])).filter((f) => !f.startsWith('.'));
  const bySource = new Map<string, number>();
  const byId = new Map<string, number>();
  let lines = 0;
  for (const f of files)
    for (const line of (await readFile(path.join(outDir, f), 'utf8')).split('\n')) {
      const match = /^([0-9a-f-]{36}) (\S+)$/.exec(line);
      if (!match) continue;
      lines++;
      byId.set(match[1]!, (byId.get(match[1]!) ?? 0) + 1);
      bySource.set(match[2]!, (bySource.get(match[2]!) ?? 0) + 1);
    }
  return { lines, bySource, byId };
}

/** Lines the sink of `idFlow` wrote so far. */
export async function countLines(dir: string): Promise<number> {
  return (await delivered(dir)).lines;
}
