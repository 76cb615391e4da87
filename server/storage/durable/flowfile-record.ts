import { type Attributes, type FlowFile, restoredFlowFile } from '../../engine/flowfile';

/**
 * A queued FlowFile on disk: id, attributes as a flat [name, value, ...] list (records of any attribute set
 * encode alike), size, dates and the content claim (null for empty content). Persisted: names are forever.
 */
export interface FlowFileRecord {
  i: string;
  a: string[];
  s: number;
  e: number;
  l: number;
  c: string | null;
}

export function toRecord(ff: FlowFile, claim: string | undefined): FlowFileRecord {
  const a: string[] = [];
  const attributes = ff.attributes;
  for (const key in attributes) a.push(key, attributes[key]!);
  return { i: ff.id, a, s: ff.size, e: ff.entryDate, l: ff.lineageStartDate, c: claim ?? null };
}

export function attributesOf(record: FlowFileRecord): Attributes {
  const attributes: Attributes = {};
  const a = record.a;
  for (let i = 0; i < a.length; i += 2) attributes[a[i]!] = a[i + 1]!;
  return attributes;
}

export function fromRecord(record: FlowFileRecord, content: Buffer): FlowFile {
  return restoredFlowFile(record.i, attributesOf(record), content, record.e, record.l);
}
