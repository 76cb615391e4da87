/**
 * The Services pages of the side panel. The list: the services a level sees (its own and every level's above),
 * each with its type, its state (from the flow's status), enable / disable (operators) and the processors that
 * reference it. One service: its name, description and config form (from its type's schema; secrets are
 * sensitive parameter references, as in processor configs), the same state and actions, and delete.
 */
import { useState } from 'react';
import { type ServiceDescriptor, servicesOfStatus } from '../../api/types';
import { levelAt } from '../../flow-mapping';
import { issuesUnder } from '../../lib/issues';
import {
  removeService,
  type ScopedService,
  serviceReferrers,
  servicesInScope,
  updateService,
} from '../../lib/parameters-services';
import { useStore } from '../../store';
import { useCan } from '../../store/use-can';
import { DraftScope } from '../form/draft-scope';
import { SchemaForm } from '../form/schema-form';
import { useDraft } from '../form/use-draft';
import { FieldScopeProvider } from '../parameters/field-scope';
import { ReferencedBy } from '../parameters/parameters-panel';
import { closeSideView, openSideView } from '../parameters/side-view';
import { setServiceEnabled } from './service-actions';
import { ServiceStateBadge } from './service-state';

const where = (path: readonly string[]) => (path.length > 0 ? `group ${path.join('/')}` : 'the flow');

export function ServicesPanel({ path }: { path: string[] }) {
  const doc = useStore((s) => s.doc);
  const types = useStore((s) => s.catalog.services);
  if (!doc) return null;
  const services = servicesInScope(doc, path);
  return (
    <div data-testid="services-panel" className="param-panel">
      <div className="side-head">
        <div className="kind">{path.length > 0 ? `Group ${path.join('/')}` : 'Flow'} · services</div>
        <h2>Controller services</h2>
        <p>
          Shared by the processors that reference them: those of {where(path)} and of every level above.
          {types.length > 0 ? ' Add one from the palette’s Services section.' : ' This server offers no service types.'}
        </p>
        <div className="side-actions">
          <button type="button" className="btn" data-testid="side-view-back" onClick={closeSideView}>
            ← Back
          </button>
        </div>
      </div>
      {services.length === 0 && <section className="side-section muted">No service in scope.</section>}
      {services.map((s) => (
        <ServiceSummary key={s.globalId} scoped={s} />
      ))}
    </div>
  );
}

function ServiceSummary({ scoped }: { scoped: ScopedService }) {
  const { service, path } = scoped;
  const tid = `service-${scoped.globalId}`;
  return (
    <section className="side-section service-card" data-testid={tid}>
      <h3>
        {service.name ?? service.id} <span className="muted">· {service.type}</span>
      </h3>
      <p className="muted" style={{ margin: '0 0 6px' }}>
        id <code>{service.id}</code> · in {where(path)}
      </p>
      <ServiceControls scoped={scoped} tid={tid} />
      <div className="side-actions">
        <button
          type="button"
          className="btn"
          data-testid={`${tid}-configure`}
          onClick={() => openSideView({ kind: 'service', path, id: service.id })}
        >
          Configure
        </button>
      </div>
    </section>
  );
}

/** State badge, enable / disable and the refusal, and "referenced by". */
function ServiceControls({ scoped, tid }: { scoped: ScopedService; tid: string }) {
  const { service, path } = scoped;
  const doc = useStore((s) => s.doc);
  const status = useStore((s) => servicesOfStatus(s.status)[scoped.globalId]);
  const canRun = useCan('operator');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | undefined>();
  const act = async (enable: boolean) => {
    setBusy(true);
    setRefusal(await setServiceEnabled(path, service.id, enable));
    setBusy(false);
  };
  const enabled = status ? status.state === 'enabled' || status.state === 'enabling' : service.enabled !== false;
  const referrers = doc ? serviceReferrers(doc, path, service.id) : [];
  return (
    <>
      <div className="service-state-row">
        <ServiceStateBadge status={status} enabled={service.enabled} testId={`${tid}-state`} />
        {canRun && (
          <>
            <button
              type="button"
              className="btn small run"
              data-testid={`${tid}-enable`}
              disabled={busy || (status !== undefined && enabled)}
              onClick={() => void act(true)}
            >
              Enable
            </button>
            <button
              type="button"
              className="btn small"
              data-testid={`${tid}-disable`}
              disabled={busy || (status !== undefined && !enabled)}
              onClick={() => void act(false)}
            >
              Disable
            </button>
          </>
        )}
      </div>
      {status?.error && (
        <div className="field-error" data-testid={`${tid}-error`}>
          {status.error}
        </div>
      )}
      {refusal && (
        <div className="banner warn" role="alert" data-testid={`${tid}-refusal`}>
          {refusal}
        </div>
      )}
      <ReferencedBy referrers={referrers} testId={`${tid}-refs`} />
    </>
  );
}

export function ServicePanel({ path, id }: { path: string[]; id: string }) {
  return (
    <DraftScope>
      <FieldScopeProvider path={path}>
        <ServiceBody path={path} id={id} />
      </FieldScopeProvider>
    </DraftScope>
  );
}

/** The JSON pointer of level `path` in the flow ("" = the flow, "/groups/0/groups/2"). */
function levelPointer(flow: Parameters<typeof levelAt>[0], path: readonly string[]): string {
  let pointer = '';
  let groups = flow.groups ?? [];
  for (const g of path) {
    const i = groups.findIndex((x) => x.id === g);
    if (i < 0) return pointer;
    pointer += `/groups/${i}`;
    groups = groups[i]!.groups ?? [];
  }
  return pointer;
}

function ServiceBody({ path, id }: { path: string[]; id: string }) {
  const doc = useStore((s) => s.doc);
  const types = useStore((s) => s.catalog.services);
  const flowIssues = useStore((s) => s.save.issues.flow);
  const canEdit = useCan('admin');
  const scoped = doc
    ? servicesInScope(doc, path).find((s) => s.service.id === id && s.path.join('/') === path.join('/'))
    : undefined;
  const service = scoped?.service;
  const update = (fn: Parameters<typeof updateService>[3]) =>
    useStore.getState().updateFlow((f) => updateService(f, path, id, fn));
  const name = useDraft(service?.name ?? '', (next) =>
    update((s) => {
      const { name: _old, ...rest } = s;
      return next.trim() ? { ...rest, name: next.trim() } : rest;
    }),
  );
  const description = useDraft(service?.description ?? '', (next) =>
    update((s) => {
      const { description: _old, ...rest } = s;
      return next.trim() ? { ...rest, description: next } : rest;
    }),
  );
  const [refusal, setRefusal] = useState<string | undefined>();
  if (!doc || !scoped || !service)
    return (
      <div data-testid="service-panel">
        <div className="side-head">
          <div className="kind">Service</div>
          <h2>{id}</h2>
          <p>This service no longer exists.</p>
          <div className="side-actions">
            <button type="button" className="btn" data-testid="side-view-back" onClick={closeSideView}>
              ← Back
            </button>
          </div>
        </div>
      </div>
    );
  const descriptor: ServiceDescriptor | undefined = types.find((t) => t.type === service.type);
  const tid = `service-${scoped.globalId}`;
  const index = (levelAt(doc, path) as { services?: { id: string }[] }).services?.findIndex((s) => s.id === id) ?? -1;
  const prefix = `${levelPointer(doc, path)}/services/${index}`;
  const issues = issuesUnder(
    flowIssues.map((i) => ({ ...i, path: i.fullPath })),
    prefix,
  );
  const referrers = serviceReferrers(doc, path, id);
  const remove = () => {
    if (referrers.length > 0) {
      setRefusal(
        `Cannot delete "${service.name ?? id}": referenced by ${referrers.map((r) => [...r.path, r.name].join('/')).join(', ')}. Change those properties first.`,
      );
      return;
    }
    useStore.getState().updateFlow((f) => removeService(f, path, id));
    closeSideView();
  };
  return (
    <div data-testid="service-panel" className="param-panel">
      <div className="side-head">
        <div className="kind">Service · {service.type}</div>
        <h2>{service.name ?? id}</h2>
        <p>
          id <code>{id}</code> · in {where(path)}
          {descriptor && (
            <>
              {' '}
              · provides{' '}
              {descriptor.provides.map((k) => (
                <code key={k}>{k} </code>
              ))}
            </>
          )}
        </p>
        {descriptor && <p style={{ marginTop: 6 }}>{descriptor.description}</p>}
        <div className="side-actions">
          <button type="button" className="btn" data-testid="side-view-back" onClick={closeSideView}>
            ← Back
          </button>
          <button
            type="button"
            className="btn"
            data-testid="service-all"
            onClick={() => openSideView({ kind: 'services', path })}
          >
            All services
          </button>
          <span className="spacer" />
          {canEdit && (
            <button type="button" className="btn danger" data-testid={`${tid}-delete`} onClick={remove}>
              Delete
            </button>
          )}
        </div>
      </div>
      {refusal && (
        <div className="banner warn" role="alert" data-testid={`${tid}-delete-refusal`}>
          {refusal}
        </div>
      )}
      <section className="side-section" data-testid={tid}>
        <h3>State</h3>
        <ServiceControls scoped={scoped} tid={tid} />
      </section>
      <section className="side-section">
        <h3>Settings</h3>
        <div className="field">
          <label htmlFor="service-name">Name</label>
          <input
            id="service-name"
            data-testid="service-name"
            value={name.text}
            readOnly={!canEdit}
            placeholder={id}
            onFocus={name.onFocus}
            onBlur={name.onBlur}
            onChange={(e) => name.onChange(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && name.flush()}
          />
        </div>
        <div className="field">
          <label htmlFor="service-description">Description</label>
          <input
            id="service-description"
            data-testid="service-description"
            value={description.text}
            readOnly={!canEdit}
            onFocus={description.onFocus}
            onBlur={description.onBlur}
            onChange={(e) => description.onChange(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && description.flush()}
          />
        </div>
        {descriptor ? (
          <SchemaForm
            name="service-config"
            schema={descriptor.config}
            value={service.config}
            issues={issuesUnder(issues, '/config')}
            readOnly={!canEdit}
            onChange={(change) => update((s) => ({ ...s, config: change(s.config ?? {}) }))}
          />
        ) : (
          <p className="error-text">Unknown service type “{service.type}”.</p>
        )}
      </section>
    </div>
  );
}
