/**
 * The Summary page (NiFi's Summary): every processor and every connection of every flow, refreshed every two
 * seconds, in two sortable tables filtered by flow and by text. A row opens the canvas at its processor or
 * connection, selected and centred.
 */
import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type { ConnectionRow, ProcessorRow } from '../api/types';
import { DataTable } from './data-table';
import { goTo } from './go-to';
import { CONNECTION_COLUMNS, connectionText, PROCESSOR_COLUMNS, processorText } from './summary-columns';
import { usePolling } from './use-polling';

const POLL_MS = 2000;

type Tab = 'processors' | 'connections';

function filterRows<T extends { flowId: string }>(rows: T[], flowId: string, text: string, textOf: (r: T) => string) {
  const needle = text.trim().toLowerCase();
  return rows.filter(
    (r) => (flowId === '' || r.flowId === flowId) && (needle === '' || textOf(r).toLowerCase().includes(needle)),
  );
}

export function SummaryPage() {
  const { data, error } = usePolling(() => api.summary(), POLL_MS);
  const [tab, setTab] = useState<Tab>('processors');
  const [flowId, setFlowId] = useState('');
  const [text, setText] = useState('');
  const processors = useMemo(
    () => filterRows(data?.processors ?? [], flowId, text, processorText),
    [data, flowId, text],
  );
  const connections = useMemo(
    () => filterRows(data?.connections ?? [], flowId, text, connectionText),
    [data, flowId, text],
  );
  const loading = !data && !error;

  return (
    <section className="page" data-testid="summary-page" aria-label="Summary">
      <header className="page-head">
        <h1>Summary</h1>
        <div className="tabs" role="tablist">
          {(['processors', 'connections'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={`tab${tab === t ? ' active' : ''}`}
              data-testid={`summary-tab-${t}`}
              onClick={() => setTab(t)}
            >
              {t === 'processors' ? `Processors (${processors.length})` : `Connections (${connections.length})`}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <select
          aria-label="Flow"
          data-testid="summary-flow-filter"
          value={flowId}
          onChange={(e) => setFlowId(e.target.value)}
        >
          <option value="">All flows</option>
          {data?.flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Filter by name, type, group, state…"
          aria-label="Filter"
          data-testid="summary-filter"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </header>
      {error && (
        <p className="error-text" data-testid="summary-error">
          Could not refresh the summary: {error}
        </p>
      )}
      {data?.truncated && <p className="muted">Only the first {data.processors.length} rows are shown.</p>}
      {tab === 'processors' ? (
        <DataTable<ProcessorRow>
          testId="summary-processors"
          columns={PROCESSOR_COLUMNS}
          rows={processors}
          rowKey={(r) => `${r.flowId}/${r.globalId}`}
          initialSort={{ key: 'flow', descending: false }}
          rowClass={(r) => `state-${r.state}`}
          onOpen={(r) => void goTo({ flowId: r.flowId, groups: r.groups, id: r.id })}
          empty={loading ? 'Loading…' : 'No processor matches.'}
        />
      ) : (
        <DataTable<ConnectionRow>
          testId="summary-connections"
          columns={CONNECTION_COLUMNS}
          rows={connections}
          rowKey={(r) => `${r.flowId}/${r.globalId}`}
          initialSort={{ key: 'flow', descending: false }}
          rowClass={(r) => (r.backPressured ? 'backpressured' : '')}
          onOpen={(r) => void goTo({ flowId: r.flowId, groups: r.groups, id: r.id, edge: true })}
          empty={loading ? 'Loading…' : 'No connection matches.'}
        />
      )}
    </section>
  );
}
