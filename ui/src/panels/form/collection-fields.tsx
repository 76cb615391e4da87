/** Key/value maps, lists and free JSON in the generated form, with per-entry errors. */
import { useEffect, useRef, useState } from 'react';
import { type ComponentIssue, pointerSegment } from '../../lib/issues';
import { isExpression } from '../../lib/schema';
import type { ControlProps } from './scalar-fields';
import { useDraft } from './use-draft';

type Row = { key: string; value: string; uid: number };
let nextUid = 1;

function rowsOf(value: unknown): Row[] {
  const entries = value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
  return entries.map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v), uid: nextUid++ }));
}

function rowsToObject(rows: readonly Row[], valueType: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    if (!r.key) continue;
    if (valueType === 'number' || valueType === 'integer')
      out[r.key] = r.value.trim() === '' ? r.value : Number(r.value);
    else if (valueType === 'boolean') out[r.key] = r.value === 'true';
    else out[r.key] = r.value;
  }
  return out;
}

function entryIssues(issues: readonly ComponentIssue[], segment: string) {
  return issues.filter((i) => i.path === `/${segment}` || i.path.startsWith(`/${segment}/`));
}

/** An object with free keys (routes, attributes): one row per entry. */
export function MapControl({
  id,
  testId,
  schema,
  value,
  onChange,
  readOnly,
  issues,
}: ControlProps & { issues: readonly ComponentIssue[] }) {
  const valueSchema = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
  const valueType = typeof valueSchema.type === 'string' ? valueSchema.type : valueSchema.type?.[0];
  const expression = isExpression(valueSchema);
  const [rows, setRows] = useState<Row[]>(() => rowsOf(value));
  const last = useRef(JSON.stringify(value ?? {}));
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => {
    const incoming = JSON.stringify(value ?? {});
    if (incoming !== last.current) {
      last.current = incoming;
      setRows(rowsOf(value));
    }
  }, [value]);

  const update = (next: Row[], immediate = false) => {
    setRows(next);
    clearTimeout(timer.current);
    const commit = () => {
      const obj = rowsToObject(next, valueType);
      last.current = JSON.stringify(obj);
      onChange(obj);
    };
    if (immediate) commit();
    else timer.current = setTimeout(commit, 350);
  };

  return (
    <div className="rows" id={id} data-testid={testId}>
      {rows.map((r, i) => {
        const own = r.key ? entryIssues(issues, pointerSegment(r.key)) : [];
        const setKey = (key: string) => update(rows.map((x) => (x.uid === r.uid ? { ...x, key } : x)));
        const setValue = (v: string) => update(rows.map((x) => (x.uid === r.uid ? { ...x, value: v } : x)));
        const keyInput = (
          <input
            className="key"
            aria-label="Key"
            placeholder="name"
            value={r.key}
            disabled={readOnly}
            data-testid={`${testId}-key-${i}`}
            onChange={(e) => setKey(e.target.value)}
          />
        );
        const remove = (
          <button
            type="button"
            className="btn icon small ghost"
            title="Remove"
            disabled={readOnly}
            onClick={() =>
              update(
                rows.filter((x) => x.uid !== r.uid),
                true,
              )
            }
          >
            ×
          </button>
        );
        return (
          <div key={r.uid} className={expression ? 'map-entry' : undefined}>
            {expression ? (
              <>
                <div className="row">
                  {keyInput}
                  {remove}
                </div>
                <textarea
                  className="expr"
                  aria-label="Expression"
                  placeholder="JSONata expression"
                  rows={2}
                  spellCheck={false}
                  value={r.value}
                  disabled={readOnly}
                  data-testid={`${testId}-value-${i}`}
                  onChange={(e) => setValue(e.target.value)}
                />
              </>
            ) : (
              <div className="row">
                {keyInput}
                <input
                  aria-label="Value"
                  placeholder="value"
                  value={r.value}
                  disabled={readOnly}
                  data-testid={`${testId}-value-${i}`}
                  onChange={(e) => setValue(e.target.value)}
                />
                {remove}
              </div>
            )}
            {own.map((issue) => (
              <div className="row-error" key={issue.fullPath + issue.message}>
                {issue.message}
              </div>
            ))}
          </div>
        );
      })}
      <div>
        <button
          type="button"
          className="btn small"
          disabled={readOnly}
          data-testid={`${testId}-add`}
          onClick={() => setRows([...rows, { key: '', value: '', uid: nextUid++ }])}
        >
          + Add entry
        </button>
      </div>
    </div>
  );
}

/** An array of strings or numbers, one row per item. */
export function ListControl({ id, testId, schema, value, onChange, readOnly }: ControlProps) {
  const items = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : String(v))) : [];
  const numeric = schema.items?.type === 'number' || schema.items?.type === 'integer';
  const commit = (next: string[]) => onChange(numeric ? next.map((v) => (v.trim() === '' ? v : Number(v))) : next);
  return (
    <div className="rows" id={id} data-testid={testId}>
      {items.map((item, i) => (
        <ListRow
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the list
          key={i}
          value={item}
          readOnly={readOnly}
          onChange={(v) => commit(items.map((x, j) => (j === i ? v : x)))}
          onRemove={() => commit(items.filter((_, j) => j !== i))}
        />
      ))}
      <div>
        <button type="button" className="btn small" disabled={readOnly} onClick={() => commit([...items, ''])}>
          + Add item
        </button>
      </div>
    </div>
  );
}

function ListRow(props: { value: string; readOnly: boolean; onChange(v: string): void; onRemove(): void }) {
  const draft = useDraft(props.value, props.onChange);
  return (
    <div className="row">
      <input
        aria-label="Item"
        value={draft.text}
        disabled={props.readOnly}
        onFocus={draft.onFocus}
        onBlur={draft.onBlur}
        onChange={(e) => draft.onChange(e.target.value)}
      />
      <button
        type="button"
        className="btn icon small ghost"
        title="Remove"
        disabled={props.readOnly}
        onClick={props.onRemove}
      >
        ×
      </button>
    </div>
  );
}

/** Anything the form has no widget for, as JSON text. */
export function JsonControl({ id, testId, value, onChange, readOnly }: ControlProps) {
  const [error, setError] = useState<string | null>(null);
  const draft = useDraft(value === undefined ? '' : JSON.stringify(value, null, 2), (text) => {
    if (text.trim() === '') {
      setError(null);
      onChange(undefined);
      return;
    }
    try {
      onChange(JSON.parse(text));
      setError(null);
    } catch (err) {
      setError(`Not valid JSON: ${(err as Error).message}`);
    }
  });
  return (
    <>
      <textarea
        id={id}
        data-testid={testId}
        className="expr"
        rows={4}
        value={draft.text}
        disabled={readOnly}
        onFocus={draft.onFocus}
        onBlur={draft.onBlur}
        onChange={(e) => draft.onChange(e.target.value)}
      />
      {error && <div className="field-error">{error}</div>}
    </>
  );
}
