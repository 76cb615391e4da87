import type { Attributes } from './flowfile';
import type { ProvenanceBatch } from './provenance-batch';

export const PROVENANCE_EVENT_TYPES = [
  'CREATE',
  'RECEIVE',
  'SEND',
  'FETCH',
  'ROUTE',
  'ATTRIBUTES_MODIFIED',
  'CONTENT_MODIFIED',
  'FORK',
  'JOIN',
  'CLONE',
  'DROP',
  'EXPIRE',
  'REPLAY',
] as const;
export type ProvenanceEventType = (typeof PROVENANCE_EVENT_TYPES)[number];

/** One step in the life of a FlowFile. A persisted shape: names here are forever. */
export interface ProvenanceEvent {
  eventId: number;
  type: ProvenanceEventType;
  /** ms since epoch */
  time: number;
  flowId: string;
  flowFileId: string;
  /** Processor id, or connection id for EXPIRE and queue DROP events. */
  componentId: string;
  /** Processor type, or "Connection". */
  componentType: string;
  relationship?: string;
  parentIds: readonly string[];
  childIds: readonly string[];
  /** The FlowFile's attributes after the event. */
  attributes: Readonly<Attributes>;
  contentSize: number;
  lineageStartDate: number;
  transitUri?: string;
  details?: string;
  /**
   * The content repository's claim holding the FlowFile's content after the event (durable repository only),
   * and for CONTENT_MODIFIED the claim of the content before it. While the content archive keeps a claim,
   * the event's content can be viewed and the event replayed.
   */
  contentClaim?: string;
  previousContentClaim?: string;
}

/** An event before the store numbered it. */
export type NewProvenanceEvent = Omit<ProvenanceEvent, 'eventId'>;

export interface ProvenanceQuery {
  flowId?: string;
  flowFileId?: string;
  componentId?: string;
  type?: ProvenanceEventType;
  /** inclusive, ms since epoch */
  from?: number;
  /** inclusive, ms since epoch */
  to?: number;
  /** newest first; default 100 */
  limit?: number;
}

export interface Lineage {
  flowFileId: string;
  /** Every FlowFile id reachable through parent/child links, the root included. */
  flowFileIds: string[];
  events: ProvenanceEvent[];
  /** Drawable graph: one node per event, an edge per FlowFile passing from one event to the next. */
  nodes: {
    id: string;
    eventId: number;
    type: ProvenanceEventType;
    flowFileId: string;
    time: number;
    componentId: string;
  }[];
  edges: { id: string; source: string; target: string; flowFileId: string }[];
  /** More FlowFiles are related than a lineage holds (LINEAGE_MAX_FLOWFILES): the graph shows the nearest. */
  truncated?: boolean;
}

/** FlowFiles one lineage gathers at most (a split into 100,000 would otherwise be one unreadable graph). */
export const LINEAGE_MAX_FLOWFILES = 1000;

export interface ProvenanceStore {
  append(events: readonly NewProvenanceEvent[]): void | Promise<void>;
  /** A committed session's events, by column (see ProvenanceBatch); stores without it get `append(batch.toEvents())`. */
  appendBatch?(batch: ProvenanceBatch): void | Promise<void>;
  query(q: ProvenanceQuery): ProvenanceEvent[] | Promise<ProvenanceEvent[]>;
  get(eventId: number): ProvenanceEvent | undefined | Promise<ProvenanceEvent | undefined>;
  lineage(flowFileId: string): Lineage | Promise<Lineage>;
  close?(): Promise<void>;
}

export const NO_IDS: readonly string[] = Object.freeze([]);
