/** Key/value maps, lists and free JSON in the generated form, with per-entry errors. */
import { useState } from 'react';
import { type ComponentIssue, pointerSegment } from '../../lib/issues';
import { isExpression } from '../../lib/schema';
import type { ControlProps } from './scalar-fields';
import { useDraft } from './use-draft';
import { useRowDraft } from './use-row-draft';

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
  const draft = useRowDraft(value, rowsOf, (rows) => rowsToObject(rows, valueType), onChange);

  return (
    <div className="rows" id={id} data-testid={testId}>
      {draft.rows.map((r, i) => {
        const own = r.key ? entryIssues(issues, pointerSegment(r.key)) : [];
        const change = (patch: Partial<Row>) =>
          draft.edit(draft.latest().map((x) => (x.uid === r.uid ? { ...x, ...patch } : x)));
        const keyInput = (
          <input
            className="key"
            aria-label="Key"
            placeholder="name"
            value={r.key}
            disabled={readOnly}
            data-testid={`${testId}-key-${i}`}
            onChange={(e) => change({ key: e.target.value })}
            onBlur={draft.flush}
          />
        );
        const remove = (
          <button
            type="button"
            className="btn icon small ghost"
            title="Remove"
            disabled={readOnly}
            onClick={() =>
              draft.edit(
                draft.latest().filter((x) => x.uid !== r.uid),
                true,
              )
            }
          >
            ×
          </button>
        );
        const valueProps = {
          value: r.value,
          disabled: readOnly,
          'data-testid': `${testId}-value-${i}`,
          onBlur: draft.flush,
        };
        return (
          <div key={r.uid} className={expression ? 'map-entry' : undefined}>
            {expression ? (
              <>
                <div className="row">
                  {keyInput}
                  {remove}
                </div>
                <textarea
                  {...valueProps}
                  className="expr"
                  aria-label="Expression"
                  placeholder="JSONata expression"
                  rows={2}
                  spellCheck={false}
                  onChange={(e) => change({ value: e.target.value })}
                />
              </>
            ) : (
              <div className="row">
                {keyInput}
                <input
                  {...valueProps}
                  aria-label="Value"
                  placeholder="value"
                  onChange={(e) => change({ value: e.target.value })}
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
          onClick={() => draft.show([...draft.latest(), { key: '', value: '', uid: nextUid++ }])}
        >
          + Add entry
        </button>
      </div>
    </div>
  );
}

type Item = { text: string; uid: number };
const itemsOf = (value: unknown): Item[] =>
  Array.isArray(value) ? value.map((v) => ({ text: typeof v === 'string' ? v : String(v), uid: nextUid++ })) : [];

/** An array of strings or numbers, one row per item. */
export function ListControl({ id, testId, schema, value, onChange, readOnly }: ControlProps) {
  const numeric = schema.items?.type === 'number' || schema.items?.type === 'integer';
  const toValue = (items: readonly Item[]) =>
    items.map(({ text }) => (numeric && text.trim() !== '' ? Number(text) : text));
  const draft = useRowDraft(value, itemsOf, toValue, onChange);
  return (
    <div className="rows" id={id} data-testid={testId}>
      {draft.rows.map((item, i) => (
        <div className="row" key={item.uid}>
          <input
            aria-label="Item"
            value={item.text}
            disabled={readOnly}
            data-testid={`${testId}-item-${i}`}
            onBlur={draft.flush}
            onChange={(e) =>
              draft.edit(draft.latest().map((x) => (x.uid === item.uid ? { ...x, text: e.target.value } : x)))
            }
          />
          <button
            type="button"
            className="btn icon small ghost"
            title="Remove"
            disabled={readOnly}
            onClick={() =>
              draft.edit(
                draft.latest().filter((x) => x.uid !== item.uid),
                true,
              )
            }
          >
            ×
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="btn small"
          disabled={readOnly}
          onClick={() => draft.edit([...draft.latest(), { text: '', uid: nextUid++ }], true)}
        >
          + Add item
        </button>
      </div>
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
