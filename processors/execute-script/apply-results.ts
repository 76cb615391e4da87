/**
 * Applies what the script produced through the real session (putAttributes, write, create with parents,
 * transfer, remove), so provenance records ATTRIBUTES_MODIFIED, CONTENT_MODIFIED, FORK and DROP as for any
 * processor. Records are checked before the first session call: a bad answer fails the batch as a whole.
 */
import type { Attributes, FlowFile, ProcessSession } from '../../sdk';
import type { OutputRecord } from './script-host';

/** The attribute that says why a FlowFile went to failure. */
export const FAILURE_REASON = 'sluice.failure.reason';
/** Present on every FlowFile: a script cannot delete them from a child (session.create sets them again). */
const CORE = new Set(['uuid', 'filename', 'path']);

/** Every input to failure with the reason. */
export function failBatch(session: ProcessSession, batch: readonly FlowFile[], reason: string): void {
  for (const ff of batch) session.transfer(session.putAttributes(ff, { [FAILURE_REASON]: reason }), 'failure');
}

/** Why the records cannot be applied, or undefined. */
export function checkRecords(records: unknown, inputs: number, binaries: number): string | undefined {
  if (!Array.isArray(records)) return 'the script process answered without records';
  const seen = new Set<number>();
  for (const r of records as OutputRecord[]) {
    const index = (i: unknown) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < inputs;
    if (r.input !== -1) {
      if (!index(r.input) || seen.has(r.input)) return `bad input index ${r.input}`;
      seen.add(r.input);
    } else if (!Array.isArray(r.parents) || !r.parents.every(index)) return 'bad parents of a created FlowFile';
    if (r.relationship !== null && r.relationship !== 'success' && r.relationship !== 'failure')
      return `bad relationship ${r.relationship}`;
    if (r.binary !== undefined && !(Number.isInteger(r.binary) && r.binary >= 0 && r.binary < binaries))
      return `bad content index ${r.binary}`;
    if (typeof r.attributes !== 'object' || r.attributes === null) return 'bad attributes';
  }
  return undefined;
}

export function applyRecords(
  session: ProcessSession,
  batch: readonly FlowFile[],
  records: readonly OutputRecord[],
  binaries: readonly Buffer[],
): void {
  const contentOf = (r: OutputRecord) => (r.binary !== undefined ? binaries[r.binary] : r.content);
  // Children first, while their parents are still the versions the script saw.
  for (const r of records) {
    if (r.input !== -1) continue;
    const { uuid: _, ...attributes } = r.attributes;
    let child = session.create({
      parents: r.parents!.map((i) => batch[i]!),
      attributes,
      content: contentOf(r) ?? '',
    });
    const dropped = Object.keys(child.attributes).filter((k) => !CORE.has(k) && !(k in r.attributes));
    if (dropped.length > 0) child = session.removeAttributes(child, dropped);
    route(session, child, r);
  }
  const handled = new Set<number>();
  for (const r of records) {
    if (r.input === -1) continue;
    handled.add(r.input);
    let ff = batch[r.input]!;
    const set: Attributes = {};
    let changed = false;
    for (const [k, v] of Object.entries(r.attributes))
      if (k !== 'uuid' && ff.attributes[k] !== v) {
        set[k] = v;
        changed = true;
      }
    if (changed) ff = session.putAttributes(ff, set);
    const removed = Object.keys(ff.attributes).filter((k) => k !== 'uuid' && !(k in r.attributes));
    if (removed.length > 0) ff = session.removeAttributes(ff, removed);
    const content = contentOf(r);
    if (content !== undefined) {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      if (!bytes.equals(ff.content)) ff = session.write(ff, bytes);
    }
    route(session, ff, r);
  }
  // An input the script left out of the array it returned is dropped (Node-RED: no message, no output).
  batch.forEach((ff, i) => {
    if (!handled.has(i)) session.remove(ff);
  });
}

function route(session: ProcessSession, ff: FlowFile, r: OutputRecord): void {
  if (r.relationship === null) session.remove(ff);
  else if (r.reason !== undefined)
    session.transfer(session.putAttributes(ff, { [FAILURE_REASON]: r.reason }), r.relationship);
  else session.transfer(ff, r.relationship);
}
