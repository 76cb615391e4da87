/**
 * A form generated from a JSON Schema object: one field per property, its description as help text and the
 * validator's errors inline by JSON path. Used for processor configs and for the schedule and connection
 * settings (whose schemas come from flows/flow-schema.ts).
 */
import type { JsonSchema } from '../../api/types';
import type { ComponentIssue } from '../../lib/issues';
import { fieldKind, labelOf } from '../../lib/schema';
import { JsonControl, ListControl, MapControl } from './collection-fields';
import { FieldShell } from './field-shell';
import { BooleanControl, EnumControl, NumberControl, TextControl } from './scalar-fields';

export interface SchemaFormProps {
  schema: JsonSchema;
  value: Record<string, unknown> | undefined;
  onChange(next: Record<string, unknown>): void;
  /** Issues relative to the form's object ("/batchSize", "" = the object itself). */
  issues: readonly ComponentIssue[];
  readOnly: boolean;
  /** Prefix of ids and test ids: "config" gives "field-config-batchSize". */
  name: string;
  /** Property names not to render (shown elsewhere). */
  omit?: readonly string[];
}

function under(issues: readonly ComponentIssue[], key: string): ComponentIssue[] {
  const prefix = `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return issues
    .filter((i) => i.path === prefix || i.path.startsWith(`${prefix}/`))
    .map((i) => ({ ...i, path: i.path.slice(prefix.length) }));
}

export function SchemaForm({ schema, value, onChange, issues, readOnly, name, omit = [] }: SchemaFormProps) {
  const properties = Object.entries(schema.properties ?? {}).filter(([key]) => !omit.includes(key));
  const current = value ?? {};
  const known = new Set(Object.keys(schema.properties ?? {}));
  const general = issues.filter((i) => {
    const first = /^\/([^/]*)/.exec(i.path)?.[1];
    return first === undefined || !known.has(first.replace(/~1/g, '/').replace(/~0/g, '~'));
  });

  const set = (key: string, v: unknown) => {
    const next = { ...current };
    if (v === undefined) delete next[key];
    else next[key] = v;
    onChange(next);
  };

  return (
    <div className="schema-form" data-testid={`form-${name}`}>
      {general.length > 0 && (
        <div className="banner warn" style={{ margin: '0 0 12px' }} data-testid={`error-${name}`}>
          {general.map((i) => (
            <div key={i.fullPath + i.message}>
              {i.path ? <code>{i.path}: </code> : null}
              {i.message}
            </div>
          ))}
        </div>
      )}
      {properties.map(([key, prop]) => (
        <SchemaField
          key={key}
          name={`${name}-${key}`}
          label={labelOf(key)}
          required={schema.required?.includes(key)}
          schema={prop}
          value={current[key]}
          onChange={(v) => set(key, v)}
          issues={under(issues, key)}
          readOnly={readOnly}
        />
      ))}
      {properties.length === 0 && <p className="muted">This processor has no settings.</p>}
    </div>
  );
}

function SchemaField(props: {
  name: string;
  label: string;
  required?: boolean;
  schema: JsonSchema;
  value: unknown;
  onChange(v: unknown): void;
  issues: ComponentIssue[];
  readOnly: boolean;
}) {
  const { name, schema, issues } = props;
  const kind = fieldKind(schema);
  const id = `field-${name}`;
  const control = { id, testId: id, schema, value: props.value, onChange: props.onChange, readOnly: props.readOnly };
  const own = kind === 'map' ? issues.filter((i) => i.path === '') : issues;

  if (kind === 'boolean')
    return (
      <FieldShell
        {...{ id, label: props.label, help: schema.description, issues: own, testId: name }}
        checkbox={<BooleanControl {...control} />}
      />
    );
  if (kind === 'object')
    return (
      <FieldShell {...{ id, label: props.label, help: schema.description, issues: [], testId: name }}>
        <div className="fieldset">
          <SchemaForm
            schema={schema}
            value={props.value as Record<string, unknown> | undefined}
            onChange={props.onChange}
            issues={issues}
            readOnly={props.readOnly}
            name={name}
          />
        </div>
      </FieldShell>
    );

  let input: React.ReactNode;
  switch (kind) {
    case 'string':
    case 'text':
    case 'expression':
      input = <TextControl {...control} multiline={kind === 'text'} expression={kind === 'expression'} />;
      break;
    case 'number':
    case 'integer':
    case 'size':
      input = <NumberControl {...control} size={kind === 'size'} />;
      break;
    case 'enum':
      input = <EnumControl {...control} />;
      break;
    case 'map':
      input = <MapControl {...control} issues={issues} />;
      break;
    case 'list':
      input = <ListControl {...control} />;
      break;
    default:
      input = <JsonControl {...control} />;
  }
  return (
    <FieldShell
      {...{ id, label: props.label, required: props.required, help: schema.description, issues: own, testId: name }}
    >
      {input}
    </FieldShell>
  );
}
