/**
 * The in-process windows as the processor's persisted state (session.setState), so a crash loses no open
 * window: the state a session commits is written with its outputs and the acknowledgement of the inputs it
 * folded in, so after a restart every input is in the restored windows or was never taken (exactly once).
 *
 * Keys: `spec` (the window settings and aggregations the windows were kept with), `meta` (watermark and
 * counters), `w.<id>` (a window: bounds, count, accumulators, panes; collected values live here) and
 * `p.<id>.<n>` (its input references for JOIN provenance, CHUNK per entry). A window gains one reference
 * per input, so they are chunked: a session rewrites the window's last chunk, not all its references.
 * What a window holds grows with its inputs (about 60 bytes each, plus collected values).
 */
import type { ProcessorStateValues } from '../../sdk';
import type { AggregateOp } from './aggregates';
import type { ParentRef, Window, WindowMeta, WindowSpec, WindowState } from './windows';

const CHUNK = 1000;
const SPEC = 'spec';
const META = 'meta';

/** The settings windows are kept with, as persisted: what they must match to be carried on. */
export interface PersistedSpec extends Omit<WindowSpec, 'ops'> {
  aggregations: [name: string, op: AggregateOp][];
}

export interface RestoredWindows {
  spec: PersistedSpec;
  /** The persisted spec as text, to compare with the running one. */
  specText: string;
  meta: WindowMeta;
  windows: Window[];
}

export function specText(spec: WindowSpec, names: readonly string[]): string {
  const { ops, ...rest } = spec;
  const persisted: PersistedSpec = { ...rest, aggregations: ops.map((op, i) => [names[i]!, op]) };
  return JSON.stringify(persisted);
}

/** Reads what `encodeWindows` wrote; undefined when there is none. */
export function decodeWindows(state: ProcessorStateValues | undefined): RestoredWindows | undefined {
  if (state?.[SPEC] === undefined || state[META] === undefined) return undefined;
  const spec = parse(state, SPEC) as PersistedSpec;
  const m = parse(state, META) as { watermark: number | null; seq: number; nextId: number };
  const meta: WindowMeta = { ...m, watermark: m.watermark ?? Number.NEGATIVE_INFINITY };
  const windows: Window[] = [];
  for (const name of Object.keys(state)) {
    if (!/^w\.\d+$/.test(name)) continue;
    const body = parse(state, name) as Omit<Window, 'parents'> & { parents: number };
    if (!Array.isArray(body.accs) || body.accs.length !== spec.aggregations.length)
      throw new Error(`the persisted window "${name}" does not match its aggregations`);
    const parents: ParentRef[] = [];
    for (let n = 0; n * CHUNK < body.parents; n++)
      parents.push(...(parse(state, parentKey(body.id, n)) as ParentRef[]));
    windows.push({ ...body, parents });
  }
  return { spec, specText: state[SPEC]!, meta, windows };
}

/**
 * The state after a session: the committed one with the windows it changed (`affected`) rewritten or
 * removed. When the committed state was kept with other settings, it is replaced by every open window.
 */
export function encodeWindows(
  committed: ProcessorStateValues | undefined,
  spec: string,
  windows: WindowState,
  affected: readonly Window[],
): Record<string, string> {
  const same = committed?.[SPEC] === spec;
  const next: Record<string, string> = same ? { ...committed } : { [SPEC]: spec };
  for (const w of same ? affected : windows.all()) {
    const before = committedParents(next, w.id);
    const open = windows.contains(w);
    const now = open ? w.parents.length : 0;
    if (open) {
      const { parents: _, ...body } = w;
      next[windowKey(w.id)] = JSON.stringify({ ...body, parents: now });
    } else delete next[windowKey(w.id)];
    // Chunks from the first one that changed: a session only appends references, a rollback never commits.
    const from = Math.floor(Math.min(before, now) / CHUNK);
    for (let n = from; n * CHUNK < now; n++)
      next[parentKey(w.id, n)] = JSON.stringify(w.parents.slice(n * CHUNK, (n + 1) * CHUNK));
    for (let n = Math.max(from, Math.ceil(now / CHUNK)); n * CHUNK < before; n++) delete next[parentKey(w.id, n)];
  }
  const meta = windows.meta;
  next[META] = JSON.stringify({ ...meta, watermark: Number.isFinite(meta.watermark) ? meta.watermark : null });
  return next;
}

/** How many input references the state holds for a window. */
function committedParents(state: Record<string, string>, id: number): number {
  const body = state[windowKey(id)];
  if (body === undefined) return 0;
  // encodeWindows writes the count last: read it without parsing the body (collected values can be many).
  const tail = /"parents":(\d+)\}$/.exec(body);
  return tail ? Number(tail[1]) : (JSON.parse(body) as { parents: number }).parents;
}

function windowKey(id: number): string {
  return `w.${id}`;
}

function parentKey(id: number, n: number): string {
  return `p.${id}.${n}`;
}

function parse(state: ProcessorStateValues, name: string): unknown {
  const text = state[name];
  if (text === undefined) throw new Error(`the persisted window state lacks "${name}"`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`the persisted window state "${name}" is not JSON: ${(err as Error).message}`);
  }
}
