/**
 * Search across flows (Ctrl+F / Cmd+F, or the top bar's Search): processors, connections, groups, ports, funnels
 * and labels of every flow by name, id, type or property value, as the server finds them, grouped by flow.
 * Arrow keys move through the results, Enter opens the one marked (its flow, its group, selected and centred),
 * Escape closes. What each kind of result looks like and how it opens is one table (KINDS): a new kind (a
 * parameter) is one entry there.
 */
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { create } from 'zustand';
import { api } from '../api/client';
import type { SearchHit, SearchKind, SearchResult } from '../api/types';
import { goTo } from '../pages/go-to';

interface SearchDialogState {
  open: boolean;
  show(): void;
  hide(): void;
}

export const useSearchDialog = create<SearchDialogState>()((set) => ({
  open: false,
  show: () => set({ open: true }),
  hide: () => set({ open: false }),
}));

/** How each kind of result is labelled and opened. */
const KINDS: Record<SearchKind, { label: string; glyph: string; open: (hit: SearchHit) => Promise<boolean> }> = {
  processor: { label: 'Processor', glyph: '▭', open: (h) => goTo(h) },
  connection: { label: 'Connection', glyph: '→', open: (h) => goTo({ ...h, edge: true }) },
  group: { label: 'Group', glyph: '▣', open: (h) => goTo(h) },
  inputPort: { label: 'Input port', glyph: '⇥', open: (h) => goTo(h) },
  outputPort: { label: 'Output port', glyph: '↦', open: (h) => goTo(h) },
  funnel: { label: 'Funnel', glyph: '⏷', open: (h) => goTo(h) },
  label: { label: 'Label', glyph: '✎', open: (h) => goTo(h) },
};

const FIELD_LABEL: Record<SearchHit['field'], string> = {
  name: 'name',
  id: 'id',
  type: 'type',
  relationship: 'relationship',
  text: 'text',
  description: 'description',
  property: 'property',
};

const QUERY_DELAY_MS = 150;
const LIMIT = 100;

export function SearchDialog() {
  const open = useSearchDialog((s) => s.open);
  return open ? <SearchBox /> : null;
}

function SearchBox() {
  const hide = useSearchDialog((s) => s.hide);
  const [text, setText] = useState('');
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => input.current?.focus(), []);

  useEffect(() => {
    const q = text.trim();
    if (q === '') {
      setResult(null);
      setError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api.search(q, LIMIT).then(
        (r) => {
          if (!current) return;
          setResult(r);
          setError(null);
          setActive(0);
        },
        (err: Error) => current && setError(err.message),
      );
    }, QUERY_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text]);

  const hits = result?.hits ?? [];
  const byFlow = useMemo(() => groupByFlow(hits), [hits]);

  useEffect(() => {
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const openHit = (hit: SearchHit | undefined) => {
    if (!hit) return;
    hide();
    void KINDS[hit.kind].open(hit);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(hits.length - 1, i + 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (e.key === 'Enter') openHit(hits[active]);
    else if (e.key === 'Escape') hide();
    else return;
    e.preventDefault();
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes it (the input's key handler)
    // biome-ignore lint/a11y/noStaticElementInteractions: a click beside the dialog closes it, as Escape does
    <div className="backdrop search-backdrop" onClick={(e) => e.target === e.currentTarget && hide()}>
      <div
        className="dialog search-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Search"
        data-testid="search-dialog"
      >
        <input
          ref={input}
          type="search"
          className="search-input"
          placeholder="Search every flow: name, type, id or property value…"
          aria-label="Search"
          aria-controls="search-results"
          aria-activedescendant={hits[active] ? `search-hit-${active}` : undefined}
          data-testid="search-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="search-results" id="search-results" role="listbox" ref={list} data-testid="search-results">
          {error && <p className="error-text">{error}</p>}
          {result && hits.length === 0 && <p className="muted">Nothing matches “{result.query}”.</p>}
          {byFlow.map(({ flowName, flowId, items }) => (
            <div key={flowId} className="search-flow" data-testid={`search-flow-${flowId}`}>
              <div className="search-flow-name">{flowName}</div>
              {items.map(({ hit, index }) => (
                <div
                  key={`${hit.kind}/${hit.globalId}`}
                  id={`search-hit-${index}`}
                  role="option"
                  tabIndex={-1}
                  aria-selected={index === active}
                  className={`search-hit${index === active ? ' active' : ''}`}
                  data-index={index}
                  data-testid="search-hit"
                  data-kind={hit.kind}
                  data-flow={hit.flowId}
                  data-id={hit.globalId}
                  onMouseEnter={() => setActive(index)}
                  onClick={() => openHit(hit)}
                  onKeyDown={() => {}}
                >
                  <span className="search-glyph" title={KINDS[hit.kind].label}>
                    {KINDS[hit.kind].glyph}
                  </span>
                  <span className="search-main">
                    <span className="search-name">{hit.name}</span>
                    <span className="muted">
                      {' '}
                      {KINDS[hit.kind].label}
                      {hit.type ? ` · ${hit.type}` : ''}
                      {hit.groupNames.length > 0 ? ` · in ${hit.groupNames.join(' › ')}` : ''}
                    </span>
                    <span className="search-match">
                      {FIELD_LABEL[hit.field]}
                      {hit.property ? ` ${hit.property}` : ''}: <code>{hit.text}</code>
                    </span>
                  </span>
                </div>
              ))}
            </div>
          ))}
          {result?.truncated && <p className="muted">The first {hits.length} results; type more to narrow them.</p>}
        </div>
        <footer className="search-help muted">↑ ↓ to move · Enter to open · Esc to close</footer>
      </div>
    </div>
  );
}

function groupByFlow(hits: readonly SearchHit[]) {
  const groups: { flowId: string; flowName: string; items: { hit: SearchHit; index: number }[] }[] = [];
  hits.forEach((hit, index) => {
    const last = groups.at(-1);
    if (last?.flowId === hit.flowId) last.items.push({ hit, index });
    else groups.push({ flowId: hit.flowId, flowName: hit.flowName, items: [{ hit, index }] });
  });
  return groups;
}
