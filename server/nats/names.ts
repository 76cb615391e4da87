/**
 * JetStream names for a flow. Flow and connection ids match `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$` (flow schema),
 * which is a valid NATS subject token, stream name, consumer name and bucket name as it stands, so ids are
 * used verbatim and two flows or connections can never map to the same name.
 *
 * | what | name |
 * | --- | --- |
 * | stream of a flow's queues (work queue, file storage) | `SLUICE_FLOW_<flowId>` |
 * | subject of a connection | `sluice.flow.<flowId>.<connectionId>` |
 * | durable pull consumer of a connection | `sluice_<connectionId>` |
 * | content bucket (Object Store) of a flow | `sluice_content_<flowId>` (stream `OBJ_sluice_content_<flowId>`) |
 * | provenance stream (limits retention) | `SLUICE_PROVENANCE`, subjects `sluice.provenance.<flowId>` |
 */
export const PROVENANCE_STREAM = 'SLUICE_PROVENANCE';
export const PROVENANCE_SUBJECTS = 'sluice.provenance.>';

/** An id, or a connection's quarantine (`<id>~quarantine`: "~" is valid in NATS names and in no flow id). */
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}(~quarantine)?$/;

function token(kind: string, id: string): string {
  if (!TOKEN.test(id)) throw new Error(`${kind} id "${id}" cannot be used as a NATS name (letters, digits, _ and -)`);
  return id;
}

export function flowStream(flowId: string): string {
  return `SLUICE_FLOW_${token('flow', flowId)}`;
}

export function flowSubjects(flowId: string): string {
  return `sluice.flow.${token('flow', flowId)}.*`;
}

export function connectionSubject(flowId: string, connectionId: string): string {
  return `sluice.flow.${token('flow', flowId)}.${token('connection', connectionId)}`;
}

export function connectionConsumer(connectionId: string): string {
  return `sluice_${token('connection', connectionId)}`;
}

export function contentBucket(flowId: string): string {
  return `sluice_content_${token('flow', flowId)}`;
}

export function provenanceSubject(flowId: string): string {
  return `sluice.provenance.${token('flow', flowId)}`;
}
