/**
 * A form generated from a JSON Schema object: one field per property, its description as help text and the
 * validator's errors inline by JSON path. Used for processor configs and for the schedule and connection
 * settings (whose schemas come from flows/flow-schema.ts).
 */
import type { JsonSchema } from '../../api/types';
import type { ComponentIssue } from '../../lib/issues';
import { fieldKind, labelOf } from '../../lib/schema';
import { SensitiveSelect, ServiceSelect } from '../parameters/reference-selects';
import { ReferenceTextControl, ResolvedValue } from '../parameters/reference-text';
import { JsonControl, ListControl, MapControl } from './collection-fields';
import { FieldShell } from './field-shell';
import { type ObjectUpdate, underKey, withKey } from './object-update';
import { BooleanControl, EnumControl, NumberControl } from './scalar-fields';

export interface SchemaFormProps {
  schema: JsonSchema;
  value: Record<string, unknown> | undefined;
  /** A change, as a function of the latest object (the store applies it): a late commit never reverts another. */
  onChange(update: ObjectUpdate): void;
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
          onChange={(v) => onChange((prev) => withKey(prev, key, v))}
          onUpdate={(update) => onChange(underKey(key, update))}
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
  /** A change of this field's own object (an object field), applied to its latest value. */
  onUpdate(update: ObjectUpdate): void;
  issues: ComponentIssue[];
  readOnly: boolean;
}) {
  const { name, schema, issues } = props;
  const kind = fieldKind(schema);
  const id = `field-${name}`;
  const control = { id, testId: id, schema, value: props.value, onChange: props.onChange, readOnly: props.readOnly };
  const own = kind === 'map' ? issues.filter((i) => i.path === '') : issues;
  const shell = { id, label: props.label, required: props.required, help: schema.description, issues, testId: name };

  // A secret takes only a sensitive parameter, a service property only a service in scope: choices, not text.
  if (schema['x-service'] !== undefined)
    return (
      <FieldShell {...shell}>
        <ServiceSelect {...control} />
      </FieldShell>
    );
  if (schema['x-sensitive'] === true)
    return (
      <FieldShell {...shell}>
        <SensitiveSelect {...control} />
      </FieldShell>
    );

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
            onChange={props.onUpdate}
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
      input = <ReferenceTextControl {...control} multiline={kind === 'text'} expression={kind === 'expression'} />;
      break;
    case 'number':
    case 'integer':
    case 'size':
      input = (
        <>
          <NumberControl {...control} size={kind === 'size'} />
          {typeof props.value === 'string' && <ResolvedValue text={props.value} testId={id} />}
        </>
      );
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
