/**
 * The fields of properties that take a reference rather than text: a sensitive property (`x-sensitive`) is a
 * choice among the sensitive parameters in scope, a service property (`x-service`) a choice among the services
 * in scope that provide its kind, with the chosen service's state and a link to its panel.
 */
import { servicesOfStatus } from '../../api/types';
import type { ScopedService } from '../../lib/parameters-services';
import { useStore } from '../../store';
import type { ControlProps } from '../form/scalar-fields';
import { ServiceStateBadge } from '../services/service-state';
import { useFieldScope } from './field-scope';
import { openSideView } from './side-view';

const REFERENCE = /^#\{([^}]+)\}$/;

export function SensitiveSelect({ id, testId, value, onChange, readOnly }: ControlProps) {
  const scope = useFieldScope().parameters;
  const sensitive = scope.parameters.filter((p) => p.sensitive);
  const current = typeof value === 'string' ? value : '';
  const name = REFERENCE.exec(current)?.[1];
  const known = name !== undefined && sensitive.some((p) => p.name === name);
  return (
    <div className="param-field">
      <select
        id={id}
        data-testid={testId}
        value={known ? current : current === '' ? '' : '?'}
        disabled={readOnly}
        onChange={(e) => {
          if (e.target.value !== '?') onChange(e.target.value === '' ? undefined : e.target.value);
        }}
      >
        <option value="">None</option>
        {sensitive.map((p) => (
          <option key={p.name} value={`#{${p.name}}`}>
            {`#{${p.name}}`} {p.set ? '' : '(not set)'}
          </option>
        ))}
        {!known && current !== '' && (
          <option value="?">{name ? `#{${name}} (not a sensitive parameter in scope)` : 'Another value (kept)'}</option>
        )}
      </select>
      {sensitive.length === 0 && (
        <div className="help">
          A secret is a reference to a sensitive parameter: add one to the parameter context in scope (Parameters).
        </div>
      )}
    </div>
  );
}

export function ServiceSelect({ id, testId, schema, value, onChange, readOnly }: ControlProps) {
  const kind = String(schema['x-service'] ?? '');
  const services = useFieldScope().services;
  const types = useStore((s) => s.catalog.services);
  const providing = new Set(types.filter((t) => t.provides.includes(kind)).map((t) => t.type));
  const options = services.filter((s) => providing.has(s.service.type));
  const current = (value as { service?: unknown } | undefined)?.service;
  const chosen = typeof current === 'string' ? services.find((s) => s.service.id === current) : undefined;
  return (
    <div className="param-field">
      <div className="service-ref">
        <select
          id={id}
          data-testid={testId}
          value={typeof current === 'string' ? current : ''}
          disabled={readOnly}
          onChange={(e) => onChange(e.target.value === '' ? undefined : { service: e.target.value })}
        >
          <option value="">None</option>
          {options.map((s) => (
            <option key={s.globalId} value={s.service.id}>
              {labelOf(s)}
            </option>
          ))}
          {typeof current === 'string' && !options.some((s) => s.service.id === current) && (
            <option value={current}>{current} (not a service in scope that provides it)</option>
          )}
        </select>
        {chosen && <ReferencedServiceState service={chosen} testId={testId} />}
      </div>
      {options.length === 0 && (
        <div className="help">No service in scope provides “{kind}”: add one from the palette’s Services section.</div>
      )}
    </div>
  );
}

function labelOf(s: ScopedService): string {
  const where = s.path.length > 0 ? ` · in ${s.path.join('/')}` : '';
  return `${s.service.name ?? s.service.id} (${s.service.type}${where})`;
}

/** The referenced service's state (from the flow's status) and a link that opens its panel. */
function ReferencedServiceState({ service, testId }: { service: ScopedService; testId: string }) {
  const state = useStore((s) => servicesOfStatus(s.status)[service.globalId]);
  return (
    <>
      <ServiceStateBadge status={state} enabled={service.service.enabled} testId={`${testId}-state`} />
      <button
        type="button"
        className="btn ghost small"
        data-testid={`${testId}-open`}
        onClick={() => openSideView({ kind: 'service', path: service.path, id: service.service.id })}
      >
        Open
      </button>
    </>
  );
}
