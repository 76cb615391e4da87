/**
 * Provenance search (bottom drawer): events of the open flow by FlowFile id, component, type and time, newest
 * first; an event's attributes; and the lineage graph of its FlowFile.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { PROVENANCE_EVENT_TYPES } from '../../../server/engine/provenance';
import { api, type ProvenanceQuery } from '../api/client';
import type { ProvenanceEvent } from '../api/types';
import { formatBytes, formatTime } from '../lib/format';
import { EventDetail } from '../lineage/event-detail';
import { useStore } from '../store';

const toMs = (local: string) => (local ? new Date(local).getTime() : undefined);

export function ProvenancePanel() {
  const flowId = useStore((s) => s.meta?.id ?? '');
  const nodes = useStore((s) => s.nodes);
  const edges = useStore((s) => s.edges);
  const [form, setForm] = useState({ flowFileId: '', componentId: '', type: '', from: '', to: '', limit: '100' });
  const [events, setEvents] = useState<ProvenanceEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  // Only the latest search may fill the table: an earlier one answering late must not overwrite it.
  const latest = useRef(0);

  const search = useCallback(
    async (f: typeof form) => {
      const query: ProvenanceQuery = {
        flowId,
        flowFileId: f.flowFileId.trim() || undefined,
        componentId: f.componentId || undefined,
        type: f.type || undefined,
        from: toMs(f.from),
        to: toMs(f.to),
        limit: Number(f.limit) || 100,
      };
      const request = ++latest.current;
      try {
        const found = await api.provenance(query);
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
    void search(form);
  }, [search]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void search(form);
  };
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
  });
  const names = new Map(nodes.map((n) => [n.id, n.data.spec.name ?? n.id]));
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
      <form className="search-form" onSubmit={submit} data-testid="provenance-search">
        <input
          placeholder="FlowFile id"
          aria-label="FlowFile id"
          data-testid="prov-flowfile"
          style={{ width: 200 }}
          {...field('flowFileId')}
        />
        <select aria-label="Component" data-testid="prov-component" style={{ maxWidth: 150 }} {...field('componentId')}>
          <option value="">Any component</option>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.data.spec.name ?? n.id}
            </option>
          ))}
          {edges.map((e) => (
            <option key={e.id} value={e.id}>
              Queue {e.id}
            </option>
          ))}
        </select>
        <select aria-label="Event type" data-testid="prov-type" {...field('type')}>
          <option value="">Any type</option>
          {PROVENANCE_EVENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <label className="inline-label">
          From
          <input type="datetime-local" aria-label="From" step="1" data-testid="prov-from" {...field('from')} />
        </label>
        <label className="inline-label">
          To
          <input type="datetime-local" aria-label="To" step="1" data-testid="prov-to" {...field('to')} />
        </label>
        <select aria-label="At most" data-testid="prov-limit" title="At most this many events" {...field('limit')}>
          {['100', '1000', '10000'].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <button type="submit" className="btn small primary" data-testid="prov-submit">
          Search
        </button>
      </form>
      <div className="drawer-body">
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
                    onClick={() => setSelected(e.eventId)}
                    data-testid="provenance-row"
                    data-type={e.type}
                    data-flowfile={e.flowFileId}
                  >
                    <td>
                      <button
                        type="button"
                        className="btn small"
                        data-testid={`lineage-${e.eventId}`}
                        onClick={(ev) => {
                          ev.stopPropagation();
                          useStore.getState().showLineage(e.flowFileId);
                        }}
                      >
                        Lineage
                      </button>
                    </td>
                    <td>{formatTime(e.time)}</td>
                    <td>
                      <span className="type-tag">{e.type}</span>
                    </td>
                    <td>{names.get(e.componentId) ?? e.componentId}</td>
                    <td className="mono" title={e.flowFileId}>
                      {e.flowFileId.slice(0, 13)}
                    </td>
                    <td>{formatBytes(e.contentSize)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="detail">
          {event ? <EventDetail event={event} /> : <p className="muted">Select an event to see its attributes.</p>}
        </div>
      </div>
    </>
  );
}
