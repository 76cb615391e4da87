/**
 * One provenance event: what happened, where, to which FlowFile, its attributes after the event, its content
 * before and after (view, download) and Replay. Shown by the provenance panel and the lineage dialog alike.
 */
import type { ReactNode } from 'react';
import type { ProvenanceEvent, ReplayResult } from '../api/types';
import { formatBytes } from '../lib/format';
import { CONTENT_SIDES } from '../panels/provenance/content-preview';
import { EventContent } from '../panels/provenance/event-content';
import { ReplayAction } from '../panels/provenance/replay-action';
import { useStore } from '../store';

/** Container: Replay is offered where the event's component has an input on the canvas; the server has the last word. */
export function EventDetail({ event, onReplayed }: { event: ProvenanceEvent; onReplayed?(r: ReplayResult): void }) {
  const hasInput = useStore((s) => s.edges.some((e) => e.target === event.componentId));
  return (
    <EventDetailView
      event={event}
      actions={hasInput && <ReplayAction key={event.eventId} event={event} onReplayed={onReplayed} />}
      content={CONTENT_SIDES.map(({ side, title }) => (
        <EventContent key={`${event.eventId}-${side}`} event={event} side={side} title={title} />
      ))}
    />
  );
}

export function EventDetailView({
  event,
  actions,
  content,
}: {
  event: ProvenanceEvent;
  actions?: ReactNode;
  content?: ReactNode;
}) {
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
    <div data-testid="event-detail" data-event={event.eventId}>
      <h3 style={{ fontSize: 13, marginBottom: 8 }}>
        <span className="type-tag">{event.type}</span>
      </h3>
      {actions}
      <dl className="attrs">
        {rows
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => (
            <Row key={k} name={k} value={v!} testId={`event-${k}`} />
          ))}
      </dl>
      {content}
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
