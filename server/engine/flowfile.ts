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

export function withAttributes(ff: FlowFile, attributes: Attributes): FlowFile {
  return { ...ff, attributes: { ...ff.attributes, ...attributes, uuid: ff.id } };
}

export function withoutAttributes(ff: FlowFile, keys: readonly string[]): FlowFile {
  const next: Attributes = { ...ff.attributes };
  for (const key of keys) if (key !== 'uuid') delete next[key];
  return { ...ff, attributes: next };
}

export function withContent(ff: FlowFile, content: Buffer | string): FlowFile {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  return { ...ff, content: body, size: body.length };
}

/** A copy with a new id: same attributes and content, lineage kept. */
export function cloneFlowFile(ff: FlowFile): FlowFile {
  const id = randomUUID();
  return { ...ff, id, attributes: { ...ff.attributes, uuid: id }, entryDate: Date.now() };
}
