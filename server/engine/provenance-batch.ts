import { getOrInsert } from '../util/maps';
import type { FlowFile } from './flowfile';
import { type NewProvenanceEvent, NO_IDS, type ProvenanceEvent, type ProvenanceEventType } from './provenance';

interface Extra {
  parentIds?: readonly string[];
  childIds?: readonly string[];
  details?: string;
  transitUri?: string;
}

const REMOVED_DETAILS = 'removed by processor';
const autoTerminated = new Map<string, string>();
function autoTerminatedDetails(relationship: string): string {
  return getOrInsert(autoTerminated, relationship, () => `auto-terminated by ${relationship} relationship`);
}

/**
 * The provenance events of one committed session, stored by column: what every event of a session shares
 * (time, flow, component) once, and per event only its type, the FlowFile version it describes (which carries
 * id, attributes, size and lineage) and its relationship. Events are the most numerous objects a running flow
 * makes, and a store keeps the latest ones alive; a few slots per event instead of an object each keeps the
 * garbage collector out of the hot path. Events are materialized only when read.
 */
export class ProvenanceBatch {
  readonly types: ProvenanceEventType[] = [];
  readonly flowFiles: FlowFile[] = [];
  readonly relationships: (string | undefined)[] = [];
  private extras: Map<number, Extra> | undefined;
  /** Content claims per event (set by the durable repository at commit): after, and before the event. */
  private claims: (string | undefined)[] | undefined;
  private previousClaims: Map<number, string> | undefined;

  constructor(
    readonly time: number,
    readonly flowId: string,
    readonly componentId: string,
    readonly componentType: string,
  ) {}

  get length(): number {
    return this.types.length;
  }

  /** Records an event about `ff` (the version after the event). A DROP's details derive from its relationship. */
  add(type: ProvenanceEventType, ff: FlowFile, relationship?: string, extra?: Extra): void {
    if (extra) {
      this.extras ??= new Map();
      this.extras.set(this.types.length, extra);
    }
    this.types.push(type);
    this.flowFiles.push(ff);
    this.relationships.push(relationship);
  }

  /** Records which content claim event `i` describes (and for a content change, the claim it replaced). */
  setClaims(i: number, claim: string | undefined, previous?: string): void {
    if (claim !== undefined) {
      this.claims ??= new Array(this.types.length);
      this.claims[i] = claim;
    }
    if (previous !== undefined) {
      this.previousClaims ??= new Map();
      this.previousClaims.set(i, previous);
    }
  }

  /** The content claim after event `i`, if the repository recorded one. */
  claim(i: number): string | undefined {
    return this.claims?.[i];
  }

  /** The content claim before event `i` (content changes only). */
  previousClaim(i: number): string | undefined {
    return this.previousClaims?.get(i);
  }

  /** The event at index `i`, numbered `eventId`. */
  event(i: number, eventId: number): ProvenanceEvent {
    const ff = this.flowFiles[i]!;
    const type = this.types[i]!;
    const relationship = this.relationships[i];
    const extra = this.extras?.get(i);
    const details =
      extra?.details ??
      (type === 'DROP' && this.componentType !== 'Connection'
        ? relationship === undefined
          ? REMOVED_DETAILS
          : autoTerminatedDetails(relationship)
        : undefined);
    return {
      eventId,
      type,
      time: this.time,
      flowId: this.flowId,
      flowFileId: ff.id,
      componentId: this.componentId,
      componentType: this.componentType,
      relationship,
      parentIds: extra?.parentIds ?? NO_IDS,
      childIds: extra?.childIds ?? NO_IDS,
      attributes: ff.attributes,
      contentSize: ff.size,
      lineageStartDate: ff.lineageStartDate,
      transitUri: extra?.transitUri,
      details,
      ...(this.claims?.[i] !== undefined && { contentClaim: this.claims[i] }),
      ...(this.previousClaims?.has(i) && { previousContentClaim: this.previousClaims.get(i) }),
    };
  }

  /** What event `i` carries beyond its type, FlowFile and relationship, if anything (for stores that persist batches). */
  extra(i: number): Readonly<Extra> | undefined {
    return this.extras?.get(i);
  }

  /** Every FlowFile id event `i` names: its own, its parents' and its children's. */
  mentioned(i: number): readonly string[] {
    const id = this.flowFiles[i]!.id;
    const extra = this.extras?.get(i);
    if (!extra || (!extra.parentIds?.length && !extra.childIds?.length)) return [id];
    return [id, ...(extra.parentIds ?? []), ...(extra.childIds ?? [])];
  }

  /** The events as objects (for stores that keep objects, and for tests). */
  toEvents(): NewProvenanceEvent[] {
    const out: NewProvenanceEvent[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const { eventId: _, ...event } = this.event(i, 0);
      out[i] = event;
    }
    return out;
  }
}
