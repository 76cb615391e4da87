import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** What the server remembers about a flow besides its definition. */
export interface FlowRuntimeState {
  /** The flow was running when last changed: it starts again after a restart. */
  running: boolean;
  /** Processors stopped one by one; they stay stopped when the flow (re)starts. */
  stoppedProcessors: string[];
}

export interface StoredFlow {
  /** The file name without ".json": the flow id it was saved under. */
  id: string;
  /** The parsed JSON, exactly as saved (validated by the caller, not here). */
  json: unknown;
}

export interface StoreContents {
  flows: StoredFlow[];
  state: Record<string, FlowRuntimeState>;
  /** No state file yet: the store was never used (the caller seeds the examples). */
  fresh: boolean;
  /** Files that could not be read or parsed; they are left on disk untouched. */
  problems: { file: string; message: string }[];
}

/**
 * Where a FlowManager keeps flows and their running state: JSON files (FlowStore, the default) or a NATS KV
 * bucket (cluster mode, server/cluster/kv-flow-store.ts).
 */
export interface FlowPersistence {
  open(): Promise<StoreContents>;
  save(id: string, flow: unknown): Promise<void>;
  remove(id: string): Promise<void>;
  saveState(state: Record<string, FlowRuntimeState>): Promise<void>;
}

export interface AtomicWriteOptions {
  /** Called after the temp file is written and synced, before the rename (tests simulate a crash here). */
  beforeRename?: (tempFile: string, target: string) => void | Promise<void>;
}

const TEMP_SUFFIX = '.tmp';
let tempCounter = 0;

/**
 * Writes JSON so that a crash at any moment leaves either the old file or the new one, never a mix:
 * write a temp file in the same directory, fsync it, rename it over the target, fsync the directory.
 */
export async function writeJsonAtomic(file: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tempCounter}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await options.beforeRename?.(temp, file);
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse to fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

/**
 * Flows as JSON files in `<dataDir>/flows/<id>.json`, and their runtime state in `<dataDir>/state.json`.
 * Every write is atomic; writes to the same file are serialized in call order.
 */
export class FlowStore implements FlowPersistence {
  readonly flowsDir: string;
  readonly stateFile: string;
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    readonly dataDir: string,
    private readonly writeOptions: AtomicWriteOptions = {},
  ) {
    this.flowsDir = path.join(dataDir, 'flows');
    this.stateFile = path.join(dataDir, 'state.json');
  }

  /** Reads every stored flow and the state; removes temp files a crash left behind. */
  async open(): Promise<StoreContents> {
    await mkdir(this.flowsDir, { recursive: true });
    const problems: StoreContents['problems'] = [];
    const flows: StoredFlow[] = [];
    for (const name of (await readdir(this.flowsDir)).sort()) {
      const file = path.join(this.flowsDir, name);
      if (name.endsWith(TEMP_SUFFIX)) {
        await unlink(file).catch(() => {});
        continue;
      }
      // `<id>.test.json`: the flow's tests (server/flow-tests/stored-tests.ts), not a flow.
      if (!name.endsWith('.json') || name.endsWith('.test.json')) continue;
      try {
        flows.push({ id: name.slice(0, -'.json'.length), json: JSON.parse(await readFile(file, 'utf8')) });
      } catch (err) {
        problems.push({ file, message: (err as Error).message });
      }
    }
    for (const name of await readdir(this.dataDir)) {
      if (name.startsWith('.state.json.') && name.endsWith(TEMP_SUFFIX))
        await unlink(path.join(this.dataDir, name)).catch(() => {});
    }
    let state: Record<string, FlowRuntimeState> = {};
    let fresh = false;
    try {
      state = parseState(JSON.parse(await readFile(this.stateFile, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') fresh = true;
      else problems.push({ file: this.stateFile, message: (err as Error).message });
    }
    return { flows, state, fresh, problems };
  }

  fileOf(id: string): string {
    return path.join(this.flowsDir, `${id}.json`);
  }

  save(id: string, flow: unknown): Promise<void> {
    return this.serialize(this.fileOf(id), () => writeJsonAtomic(this.fileOf(id), flow, this.writeOptions));
  }

  remove(id: string): Promise<void> {
    return this.serialize(this.fileOf(id), async () => {
      // The flow's tests (`<id>.test.json`) go with it: a new flow under the same id must not inherit them.
      for (const file of [this.fileOf(id), path.join(this.flowsDir, `${id}.test.json`)])
        await unlink(file).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
    });
  }

  saveState(state: Record<string, FlowRuntimeState>): Promise<void> {
    const snapshot = structuredClone(state);
    return this.serialize(this.stateFile, () =>
      writeJsonAtomic(this.stateFile, { version: 1, flows: snapshot }, this.writeOptions),
    );
  }

  /** Runs writes to one file one after another, in call order. */
  private serialize(key: string, write: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(write, write);
    const settled = next.catch(() => {});
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }
}

export function parseState(json: unknown): Record<string, FlowRuntimeState> {
  const flows = (json as { flows?: unknown })?.flows;
  const out: Record<string, FlowRuntimeState> = {};
  if (!flows || typeof flows !== 'object') return out;
  for (const [id, value] of Object.entries(flows as Record<string, unknown>)) {
    const v = value as Partial<FlowRuntimeState>;
    out[id] = {
      running: v?.running === true,
      stoppedProcessors: Array.isArray(v?.stoppedProcessors)
        ? v.stoppedProcessors.filter((p): p is string => typeof p === 'string')
        : [],
    };
  }
  return out;
}
