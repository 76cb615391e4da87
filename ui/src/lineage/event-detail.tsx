/** One provenance event: what happened, where, to which FlowFile, and its attributes after the event. */
import type { ProvenanceEvent } from '../api/types';
import { formatBytes } from '../lib/format';

export function EventDetail({ event }: { event: ProvenanceEvent }) {
  const rows: [string, string | undefined][] = [
    ['event', `#${event.eventId}`],
    ['time', new Date(event.time).toISOString()],
    ['component', `${event.componentId} (${event.componentType})`],
    ['FlowFile', event.flowFileId],
    ['relationship', event.relationship],
    ['size', formatBytes(event.contentSize)],
    ['parents', event.parentIds.join(', ') || undefined],
    ['children', event.childIds.join(', ') || undefined],
    ['transit URI', event.transitUri],
    ['details', event.details],
  ];
  return (
    <div data-testid="event-detail">
      <h3 style={{ fontSize: 13, marginBottom: 8 }}>
        <span className="type-tag">{event.type}</span>
      </h3>
      <dl className="attrs">
        {rows
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => (
            <Row key={k} name={k} value={v!} testId={`event-${k}`} />
          ))}
      </dl>
      <h3 style={{ fontSize: 12, margin: '12px 0 6px' }}>Attributes</h3>
      <dl className="attrs">
        {Object.entries(event.attributes).map(([k, v]) => (
          <Row key={k} name={k} value={v} />
        ))}
      </dl>
    </div>
  );
}

function Row({ name, value, testId }: { name: string; value: string; testId?: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  );
}
