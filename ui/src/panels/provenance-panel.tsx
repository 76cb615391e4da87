/**
 * Provenance search (bottom drawer), the container: events of the open flow by FlowFile id, component, type and
 * time, newest first; the selected event's detail (attributes, content, Replay); and the lineage of its FlowFile.
 * The markup is in ./provenance/*.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/client';
import type { ProvenanceEvent } from '../api/types';
import { EventDetail } from '../lineage/event-detail';
import { useStore } from '../store';
import { EventTable } from './provenance/event-table';
import { EMPTY_SEARCH, ProvenanceSearchForm, type SearchFields } from './provenance/search-form';

const toMs = (local: string) => (local ? new Date(local).getTime() : undefined);

export function ProvenancePanel() {
  const flowId = useStore((s) => s.meta?.id ?? '');
  const nodes = useStore((s) => s.nodes);
  const edges = useStore((s) => s.edges);
  const [fields, setFields] = useState<SearchFields>(EMPTY_SEARCH);
  const [events, setEvents] = useState<ProvenanceEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  // Only the latest search may fill the table: an earlier one answering late must not overwrite it.
  const latest = useRef(0);

  const search = useCallback(
    async (f: SearchFields) => {
      const request = ++latest.current;
      try {
        const found = await api.provenance({
          flowId,
          flowFileId: f.flowFileId.trim() || undefined,
          componentId: f.componentId || undefined,
          type: f.type || undefined,
          from: toMs(f.from),
          to: toMs(f.to),
          limit: Number(f.limit) || 100,
        });
        if (request !== latest.current) return;
        setEvents(found);
        setError(null);
      } catch (err) {
        if (request === latest.current) setError((err as Error).message);
      }
    },
    [flowId],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: search once when the drawer opens (and per flow)
  useEffect(() => {
    void search(fields);
  }, [search]);

  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.data.spec.name ?? n.id])), [nodes]);
  const components = useMemo(
    () => [
      ...nodes.map((n) => ({ id: n.id, label: names.get(n.id)! })),
      ...edges.map((e) => ({ id: e.id, label: `Queue ${e.id}` })),
    ],
    [nodes, edges, names],
  );
  const event = events?.find((e) => e.eventId === selected);

  return (
    <>
      <div className="drawer-head">
        <h2>Provenance</h2>
        <span className="muted">{events ? `${events.length} events, newest first` : ''}</span>
        <span className="spacer" />
        <button
          type="button"
          className="btn small ghost"
          aria-label="Close"
          onClick={() => useStore.getState().openDrawer(null)}
        >
          ×
        </button>
      </div>
      <ProvenanceSearchForm
        fields={fields}
        components={components}
        onChange={setFields}
        onSearch={() => void search(fields)}
      />
      <div className="drawer-body provenance">
        <div className="list">
          {error && (
            <p className="error-text" style={{ padding: '0 12px' }}>
              {error}
            </p>
          )}
          {events && events.length === 0 && (
            <p className="muted" style={{ padding: '0 12px' }}>
              No events match.
            </p>
          )}
          {events && events.length > 0 && (
            <EventTable
              events={events}
              selected={selected}
              nameOf={(id) => names.get(id) ?? id}
              onSelect={setSelected}
              onLineage={(id) => useStore.getState().showLineage(id)}
            />
          )}
        </div>
        <div className="detail">
          {event ? (
            // A replay adds a REPLAY event (and the work it causes): search again so it is listed.
            <EventDetail event={event} onReplayed={() => void search(fields)} />
          ) : (
            <p className="muted">Select an event to see its attributes and content.</p>
          )}
        </div>
      </div>
    </>
  );
}
