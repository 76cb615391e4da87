/** The provenance search form (view): FlowFile id, component, event type, time range and how many at most. */
import type { FormEvent } from 'react';
import { PROVENANCE_EVENT_TYPES } from '../../../../server/engine/provenance';

export interface SearchFields {
  flowFileId: string;
  componentId: string;
  type: string;
  from: string;
  to: string;
  limit: string;
}

export const EMPTY_SEARCH: SearchFields = { flowFileId: '', componentId: '', type: '', from: '', to: '', limit: '100' };

interface Props {
  fields: SearchFields;
  /** Processors and connections of the flow, as the component filter lists them. */
  components: { id: string; label: string }[];
  onChange(fields: SearchFields): void;
  onSearch(): void;
}

export function ProvenanceSearchForm({ fields, components, onChange, onSearch }: Props) {
  const field = (key: keyof SearchFields) => ({
    value: fields[key],
    onChange: (e: { target: { value: string } }) => onChange({ ...fields, [key]: e.target.value }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch();
  };
  return (
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
        {components.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
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
  );
}
