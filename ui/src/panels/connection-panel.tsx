/**
 * The config panel of a connection: which relationships it carries, backpressure thresholds, expiration and
 * prioritizer (a form generated from the flow schema's connection part), and its live queue.
 */
import { useShallow } from 'zustand/react/shallow';
import { connectionSchema } from '../../../flows/flow-schema';
import type { ConnectionSpec, JsonSchema } from '../api/types';
import { useRelationships } from '../canvas/use-relationships';
import type { QueueEdge } from '../flow-mapping';
import { fillLevel } from '../lib/fill-level';
import { formatAge, formatBytes } from '../lib/format';
import { formatIssue, issuesUnder } from '../lib/issues';
import { useStore } from '../store';
import { useCan } from '../store/use-can';
import { useTapStore } from '../tap-store';
import { DraftScope } from './form/draft-scope';
import { SchemaForm } from './form/schema-form';

const settingsSchema = connectionSchema as unknown as JsonSchema;
const NOT_IN_FORM = ['id', 'source', 'target', 'relationships'];

/** One draft per panel: its fields' pending edits are committed in order (form/draft-scope.tsx). */
export function ConnectionPanel({ edge }: { edge: QueueEdge }) {
  return (
    <DraftScope>
      <ConnectionPanelBody edge={edge} />
    </DraftScope>
  );
}

function ConnectionPanelBody({ edge }: { edge: QueueEdge }) {
  const { id } = edge;
  const spec = edge.data!.spec;
  const source = useStore((s) => s.nodes.find((n) => n.id === edge.source));
  const target = useStore((s) => s.nodes.find((n) => n.id === edge.target));
  const queue = useStore((s) => s.status?.connections[id]);
  const issues = useStore((s) => s.save.issues.connections[id]);
  const ends = useStore(
    useShallow((s) => [s.status?.processors[edge.source]?.state, s.status?.processors[edge.target]?.state]),
  );
  const relationships = useRelationships(source?.data.spec ?? { id: edge.source, type: '' });
  const update = (fn: (c: ConnectionSpec) => ConnectionSpec) => useStore.getState().updateConnection(id, fn);
  const canEdit = useCan('admin');
  const canInject = useCan('operator');
  const readOnly = ends.includes('running') || !canEdit;
  const carried = new Set(spec.relationships);
  const fill = queue ? fillLevel(queue) : null;
  const form: Record<string, unknown> = Object.fromEntries(
    Object.entries(spec).filter(([k]) => !NOT_IN_FORM.includes(k)),
  );
  const relationshipIssues = issuesUnder(issues, '/relationships');

  return (
    <div data-testid="connection-panel">
      <div className="side-head">
        <div className="kind">Connection</div>
        <h2>
          {source?.data.spec.name ?? edge.source} → {target?.data.spec.name ?? edge.target}
        </h2>
        <p>
          id <code>{id}</code>
        </p>
        <div className="side-actions">
          <button
            type="button"
            className="btn primary"
            data-testid="inspect-queue"
            onClick={() => useStore.getState().openDrawer({ kind: 'queue', connectionId: id })}
          >
            List queue ({queue?.count ?? 0})
          </button>
          <button
            type="button"
            className="btn"
            data-testid="tap-watch"
            title="Show the FlowFiles passing through this connection, live"
            onClick={() => useTapStore.getState().watch(id)}
          >
            Watch
          </button>
          {canInject && (
            <button
              type="button"
              className="btn"
              data-testid="inject-open"
              title="Put one FlowFile into this connection's queue"
              onClick={() => useTapStore.getState().openInject(id)}
            >
              Inject…
            </button>
          )}
          <span className="spacer" />
          <button
            type="button"
            className="btn danger"
            disabled={readOnly}
            onClick={() => {
              useStore.getState().select({ edges: [id] });
              useStore.getState().deleteSelection();
            }}
          >
            Delete
          </button>
        </div>
      </div>
      {readOnly && (
        <div className="banner info">
          {canEdit
            ? 'Its source or target is running: stop them to change this connection.'
            : 'Your role may not edit flows: the settings are read-only.'}
        </div>
      )}
      <section className="side-section">
        <h3>Queue</h3>
        {queue ? (
          <dl className="attrs">
            <dt>FlowFiles</dt>
            <dd>
              {queue.count} of {queue.objectThreshold}
            </dd>
            <dt>Size</dt>
            <dd>
              {formatBytes(queue.bytes)} of {formatBytes(queue.bytesThreshold)}
            </dd>
            <dt>Oldest</dt>
            <dd>{queue.count > 0 ? formatAge(queue.oldestAgeMs) : '–'}</dd>
            <dt>In flight</dt>
            <dd>{queue.inFlight}</dd>
            <dt>State</dt>
            <dd className={fill?.backPressured ? 'error-text' : undefined}>
              {fill?.backPressured ? 'backpressured' : `${Math.round((fill?.ratio ?? 0) * 100)}% full`}
            </dd>
          </dl>
        ) : (
          <p className="muted">No live status (the flow has not run since it was loaded, or it is unsaved).</p>
        )}
      </section>
      <section className="side-section">
        <h3>Relationships</h3>
        <div className="checks">
          {[...new Set([...relationships.map((r) => r.name), ...spec.relationships])].map((name) => (
            <label key={name}>
              <input
                type="checkbox"
                data-testid={`connection-rel-${name}`}
                checked={carried.has(name)}
                disabled={readOnly || (carried.has(name) && carried.size === 1)}
                onChange={(e) =>
                  update((c) => ({
                    ...c,
                    relationships: e.target.checked
                      ? [...c.relationships, name]
                      : c.relationships.filter((r) => r !== name),
                  }))
                }
              />
              {name}
            </label>
          ))}
        </div>
        {relationshipIssues.map((i) => (
          <div className="row-error" key={i.fullPath + i.message} style={{ marginTop: 6 }}>
            {formatIssue(i)}
          </div>
        ))}
      </section>
      <section className="side-section">
        <h3>Settings</h3>
        <SchemaForm
          name="connection"
          schema={settingsSchema}
          omit={NOT_IN_FORM}
          value={form}
          issues={(issues ?? []).filter((i) => !i.path.startsWith('/relationships'))}
          readOnly={readOnly}
          onChange={(change) =>
            update(({ id, source, relationships, target, ...settings }) => ({
              id,
              source,
              relationships,
              target,
              ...change(settings),
            }))
          }
        />
      </section>
    </div>
  );
}
