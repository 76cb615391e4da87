/**
 * Injecting a FlowFile by hand (Node-RED's inject button): a person puts one FlowFile into a connection's queue,
 * recorded as a RECEIVE from `sluice://user/<name>`. One FlowFile from a person is allowed even when the queue is
 * over its backpressure threshold (backpressure holds back processors, not people).
 */
import { type Attributes, type FlowFile, newFlowFile } from './flowfile';
import type { NewProvenanceEvent } from './provenance';

/** What a person injects. */
export interface InjectInput {
  content: string | Buffer;
  attributes?: Attributes;
  /** Who injected it; null = anonymous (a server without users). */
  user: string | null;
}

export const INJECT_DETAILS = 'injected';

/** The transit URI naming the person who injected a FlowFile. */
export function injectUri(user: string | null): string {
  return `sluice://user/${encodeURIComponent(user ?? 'anonymous')}`;
}

/** The FlowFile to inject and its RECEIVE event (attributed to the connection it enters). */
export function injected(
  flowId: string,
  connectionId: string,
  input: InjectInput,
  now = Date.now(),
): { flowFile: FlowFile; event: NewProvenanceEvent } {
  const flowFile = newFlowFile(input.content, { ...input.attributes });
  return {
    flowFile,
    event: {
      type: 'RECEIVE',
      time: now,
      flowId,
      flowFileId: flowFile.id,
      componentId: connectionId,
      componentType: 'Connection',
      parentIds: [],
      childIds: [],
      attributes: flowFile.attributes,
      contentSize: flowFile.size,
      lineageStartDate: flowFile.lineageStartDate,
      transitUri: injectUri(input.user),
      details: INJECT_DETAILS,
    },
  };
}
