/** Text, expression, number, size, boolean and enum controls of the generated form. */
import type { JsonSchema } from '../../api/types';
import { parseNumberInput, parseSizeInput } from '../../lib/schema';
import { useDraft } from './use-draft';

export interface ControlProps {
  id: string;
  testId: string;
  schema: JsonSchema;
  value: unknown;
  onChange(value: unknown): void;
  readOnly: boolean;
}

const show = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v));
/** "default: 100"; nothing for an empty default ("default: " reads as a missing value). */
const placeholderOf = (schema: JsonSchema) =>
  schema.default !== undefined && schema.default !== '' ? `default: ${show(schema.default)}` : undefined;

export function TextControl({
  id,
  testId,
  schema,
  value,
  onChange,
  readOnly,
  multiline,
  expression,
}: ControlProps & {
  multiline?: boolean;
  expression?: boolean;
}) {
  const draft = useDraft(show(value), (text) => onChange(text));
  const common = {
    id,
    'data-testid': testId,
    value: draft.text,
    disabled: readOnly,
    placeholder: expression ? 'JSONata expression' : placeholderOf(schema),
    spellCheck: !expression,
    className: expression ? 'expr' : undefined,
    onFocus: draft.onFocus,
    onBlur: draft.onBlur,
  };
  if (multiline || expression)
    return <textarea {...common} rows={expression ? 2 : 3} onChange={(e) => draft.onChange(e.target.value)} />;
  return (
    <input
      {...common}
      type="text"
      onChange={(e) => draft.onChange(e.target.value)}
      onKeyDown={(e) => e.key === 'Enter' && draft.flush()}
    />
  );
}

export function NumberControl({
  id,
  testId,
  schema,
  value,
  onChange,
  readOnly,
  size,
}: ControlProps & { size?: boolean }) {
  const draft = useDraft(show(value), (text) => onChange(size ? parseSizeInput(text) : parseNumberInput(text)));
  return (
    <input
      id={id}
      data-testid={testId}
      type="text"
      inputMode={size ? 'text' : 'decimal'}
      value={draft.text}
      disabled={readOnly}
      placeholder={placeholderOf(schema)}
      onFocus={draft.onFocus}
      onBlur={draft.onBlur}
      onChange={(e) => draft.onChange(e.target.value)}
      onKeyDown={(e) => e.key === 'Enter' && draft.flush()}
    />
  );
}

export function BooleanControl({ id, testId, schema, value, onChange, readOnly }: ControlProps) {
  const checked = value === undefined ? schema.default === true : value === true;
  return (
    <input
      id={id}
      data-testid={testId}
      type="checkbox"
      checked={checked}
      disabled={readOnly}
      onChange={(e) => onChange(e.target.checked)}
    />
  );
}

export function EnumControl({ id, testId, schema, value, onChange, readOnly }: ControlProps) {
  const options = schema.enum ?? [];
  const current = value === undefined ? '' : JSON.stringify(value);
  return (
    <select
      id={id}
      data-testid={testId}
      value={current}
      disabled={readOnly}
      onChange={(e) => onChange(e.target.value === '' ? undefined : JSON.parse(e.target.value))}
    >
      <option value="">{schema.default !== undefined ? `Default (${show(schema.default)})` : '—'}</option>
      {options.map((o) => (
        <option key={JSON.stringify(o)} value={JSON.stringify(o)}>
          {show(o)}
        </option>
      ))}
    </select>
  );
}
