import { randomUUID } from 'node:crypto';

export type Attributes = Record<string, string>;

/**
 * A FlowFile: attributes plus content. Immutable: a change makes a new version with the same id,
 * so a queue, a provenance event and a session can share one object safely.
 */
export interface FlowFile {
  readonly id: string;
  readonly attributes: Readonly<Attributes>;
  readonly content: Buffer;
  readonly size: number;
  /** When this FlowFile entered the flow (ms since epoch); expiration counts from here. */
  readonly entryDate: number;
  /** When the oldest ancestor entered the flow. */
  readonly lineageStartDate: number;
}

const EMPTY = Buffer.alloc(0);

export function newFlowFile(
  content: Buffer | string = EMPTY,
  attributes: Attributes = {},
  lineageStartDate?: number,
): FlowFile {
  const id = randomUUID();
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const now = Date.now();
  return {
    id,
    attributes: { filename: id, path: './', ...attributes, uuid: id },
    content: body,
    size: body.length,
    entryDate: now,
    lineageStartDate: lineageStartDate ?? now,
  };
}

/** A FlowFile object of the one shape every version has (no spreads: this runs per FlowFile per change). */
function version(
  ff: FlowFile,
  id: string,
  attributes: Readonly<Attributes>,
  content: Buffer,
  size: number,
  entryDate: number,
): FlowFile {
  return { id, attributes, content, size, entryDate, lineageStartDate: ff.lineageStartDate };
}

export function withAttributes(ff: FlowFile, attributes: Attributes): FlowFile {
  const next: Attributes = { ...ff.attributes };
  for (const key in attributes) next[key] = attributes[key]!;
  next.uuid = ff.id;
  return version(ff, ff.id, next, ff.content, ff.size, ff.entryDate);
}

export function withoutAttributes(ff: FlowFile, keys: readonly string[]): FlowFile {
  const next: Attributes = { ...ff.attributes };
  for (const key of keys) if (key !== 'uuid') delete next[key];
  return version(ff, ff.id, next, ff.content, ff.size, ff.entryDate);
}

export function withContent(ff: FlowFile, content: Buffer | string): FlowFile {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  return version(ff, ff.id, ff.attributes, body, body.length, ff.entryDate);
}

/** A copy with a new id: same attributes and content, lineage kept. */
export function cloneFlowFile(ff: FlowFile): FlowFile {
  const id = randomUUID();
  return version(ff, id, { ...ff.attributes, uuid: id }, ff.content, ff.size, Date.now());
}

/** A FlowFile as a repository stored it (recovery, swap-in): same shape as every other version. */
export function restoredFlowFile(
  id: string,
  attributes: Readonly<Attributes>,
  content: Buffer,
  entryDate: number,
  lineageStartDate: number,
): FlowFile {
  return { id, attributes, content, size: content.length, entryDate, lineageStartDate };
}
