/** The provenance events found (view), newest first: click a row for its detail, Lineage for its graph. */
import type { ProvenanceEvent } from '../../api/types';
import { formatBytes, formatTime } from '../../lib/format';

interface Props {
  events: ProvenanceEvent[];
  selected: number | null;
  /** A component's name on the canvas, or its id. */
  nameOf(componentId: string): string;
  onSelect(eventId: number): void;
  onLineage(flowFileId: string): void;
}

export function EventTable({ events, selected, nameOf, onSelect, onLineage }: Props) {
  return (
    <table className="grid" data-testid="provenance-table">
      <thead>
        <tr>
          <th />
          <th>Time</th>
          <th>Type</th>
          <th>Component</th>
          <th>FlowFile</th>
          <th>Size</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr
            key={e.eventId}
            className={`clickable${e.eventId === selected ? ' active' : ''}`}
            onClick={() => onSelect(e.eventId)}
            data-testid="provenance-row"
            data-event={e.eventId}
            data-type={e.type}
            data-component={e.componentId}
            data-flowfile={e.flowFileId}
          >
            <td>
              <button
                type="button"
                className="btn small"
                data-testid={`lineage-${e.eventId}`}
                onClick={(ev) => {
                  ev.stopPropagation();
                  onLineage(e.flowFileId);
                }}
              >
                Lineage
              </button>
            </td>
            <td>{formatTime(e.time)}</td>
            <td>
              <span className="type-tag">{e.type}</span>
            </td>
            <td>{nameOf(e.componentId)}</td>
            <td className="mono" title={e.flowFileId}>
              {e.flowFileId.slice(0, 13)}
            </td>
            <td>{formatBytes(e.contentSize)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
