/**
 * "Pin these FlowFiles as a test" (snapshot testing, like n8n's pinned data and Jest snapshots), pure: watched
 * tap entries become a case's injections at their connection, and what the flow's destination processor sent in
 * the one-off snapshot run (`POST /api/flows/:id/tests/snapshot`) becomes its expectations: per relationship the
 * count, per FlowFile the attributes the processor added or changed (exact values; ones that differed between
 * the two snapshot runs, such as ids and times, are left out) and, for small JSON content, a `json` subset.
 */
import type { SnapshotAnswer } from '../../../server/flow-tests/snapshot';
import type { TapEntry } from '../api/tap-types';
import type { FlowTestFile } from '../api/types';

export type FlowTestCase = FlowTestFile['cases'][number];
type Expectation = FlowTestCase['expect'][number];

/** FlowFiles per relationship whose attributes and content are pinned (the count always is). */
export const PINNED_PER_RELATIONSHIP = 10;
/** JSON content up to this many characters (serialized) is pinned as a `json` expectation. */
export const PINNED_JSON_CHARS = 1024;
/** The longest a pinned case may run. */
export const PINNED_TIMEOUT = '10s';
/** Attributes the engine sets on every new FlowFile: not part of what is pinned. */
const ENGINE_ATTRIBUTES = new Set(['uuid']);

export interface PinnedInjection {
  content: string;
  attributes: Record<string, string>;
}

/**
 * The entries (newest first, as the tap shows them) as injections, oldest first: in the order they arrived.
 * Refused, saying which and why, when an entry's content is not there (a role that may not read content),
 * was cut (over 64 KiB) or is not UTF-8 text (a test file holds text).
 */
export function pinnedInjections(
  entries: readonly TapEntry[],
): { ok: true; inject: PinnedInjection[] } | { ok: false; message: string } {
  if (entries.length === 0) return { ok: false, message: 'No FlowFile to pin: the watched connection shows none.' };
  const inject: PinnedInjection[] = [];
  for (const entry of [...entries].reverse()) {
    const which = `FlowFile ${entry.flowFileId.slice(0, 8)}`;
    if (entry.content === undefined)
      return { ok: false, message: `${which}: its content is not shown to your role, so it cannot be pinned.` };
    if (entry.contentTruncated)
      return { ok: false, message: `${which}: its content is larger than the tap keeps (64 KiB).` };
    const text = utf8(entry.content);
    if (text === undefined) return { ok: false, message: `${which}: its content is not text; a test holds text.` };
    const attributes = Object.fromEntries(Object.entries(entry.attributes).filter(([k]) => !ENGINE_ATTRIBUTES.has(k)));
    inject.push({ content: text, attributes });
  }
  return { ok: true, inject };
}

/** The case: the injections at the snapshot's connection, its mutes and captures, its outputs as expectations. */
export function pinnedCase(name: string, inject: readonly PinnedInjection[], snapshot: SnapshotAnswer): FlowTestCase {
  const expect: Expectation[] = [];
  for (const output of snapshot.outputs) {
    expect.push({ at: output.place, count: output.count });
    for (const [nth, ff] of output.flowFiles.slice(0, PINNED_PER_RELATIONSHIP).entries()) {
      const attributes = changedAttributes(ff.attributes, ff.varying, inject);
      const json = ff.contentVaries || ff.content === undefined ? undefined : smallJson(ff.content);
      if (Object.keys(attributes).length === 0 && json === undefined) continue;
      expect.push({
        at: output.place,
        nth,
        ...(Object.keys(attributes).length > 0 && { attributes }),
        ...(json !== undefined && { content: { json: json.value } }),
      });
    }
  }
  return {
    name,
    mute: [...snapshot.mute],
    capture: [...snapshot.capture],
    inject: inject.map((i) => ({ at: snapshot.at, content: i.content, attributes: { ...i.attributes }, repeat: 1 })),
    expect,
    timeout: PINNED_TIMEOUT,
  };
}

/**
 * The output's attributes that are not the same in the injection it most resembles (the processor added or
 * changed them), without the varying ones and the engine's own.
 */
export function changedAttributes(
  output: Readonly<Record<string, string>>,
  varying: readonly string[],
  inject: readonly PinnedInjection[],
): Record<string, string> {
  const shared = (i: PinnedInjection) => Object.entries(i.attributes).filter(([k, v]) => output[k] === v).length;
  let source: PinnedInjection | undefined;
  for (const i of inject) if (!source || shared(i) > shared(source)) source = i;
  const skip = new Set(varying);
  const changed: Record<string, string> = {};
  for (const [k, v] of Object.entries(output))
    if (!skip.has(k) && !ENGINE_ATTRIBUTES.has(k) && source?.attributes[k] !== v) changed[k] = v;
  return changed;
}

/** The test file with `testCase` appended (a new file when there is none). */
export function withCase(file: FlowTestFile | null, testCase: FlowTestCase): FlowTestFile {
  return { ...(file ?? {}), cases: [...(file?.cases ?? []), testCase] };
}

/** `base`, or `base (2)`, `base (3)`… : the first not taken by a case of `file`. */
export function uniqueCaseName(base: string, file: FlowTestFile | null): string {
  const taken = new Set((file?.cases ?? []).map((c) => c.name));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`;
}

/** The test file without the case named `name`; null when it was the last one (a file needs a case). */
export function withoutCase(file: FlowTestFile, name: string): FlowTestFile | null {
  const cases = file.cases.filter((c) => c.name !== name);
  return cases.length === 0 ? null : { ...file, cases: cases as FlowTestFile['cases'] };
}

function utf8(base64: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function smallJson(text: string): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return JSON.stringify(value).length <= PINNED_JSON_CHARS ? { value } : undefined;
}
