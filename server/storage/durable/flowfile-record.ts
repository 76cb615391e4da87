import { type Attributes, type FlowFile, restoredFlowFile } from '../../engine/flowfile';

/**
 * A queued FlowFile on disk: id, attributes (the FlowFile's own object: msgpackr defines each set of attribute
 * names once per segment), size, dates and the content claim (null for empty content). Persisted: names are
 * forever.
 */
export interface FlowFileRecord {
  i: string;
  a: Readonly<Attributes>;
  s: number;
  e: number;
  l: number;
  c: string | null;
}

export function toRecord(ff: FlowFile, claim: string | undefined): FlowFileRecord {
  return { i: ff.id, a: ff.attributes, s: ff.size, e: ff.entryDate, l: ff.lineageStartDate, c: claim ?? null };
}

export function fromRecord(record: FlowFileRecord, content: Buffer): FlowFile {
  return restoredFlowFile(record.i, record.a, content, record.e, record.l);
}
