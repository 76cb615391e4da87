/**
 * The "Parameters and services" section of the flow's and a group's panel: which parameter context the level
 * binds (a group may inherit its parent's), and the ways to the Parameters and Services pages.
 */
import { bindingAt, groupsAlong } from '../../lib/parameters';
import { setBinding } from '../../lib/parameters-edit';
import { servicesInScope } from '../../lib/parameters-services';
import { useStore } from '../../store';
import { useCan } from '../../store/use-can';
import { openSideView } from './side-view';

export function LevelParametersSection({ path }: { path: readonly string[] }) {
  const doc = useStore((s) => s.doc);
  const canEdit = useCan('admin');
  if (!doc) return null;
  const nested = path.length > 0;
  const own = nested ? groupsAlong(doc, path).at(-1)?.parameterContext : doc.parameterContext;
  const inherited = nested ? bindingAt(doc, path.slice(0, -1)) : undefined;
  const contexts = doc.parameterContexts ?? [];
  const services = servicesInScope(doc, path).length;
  const testId = nested ? 'group-context' : 'flow-context';
  return (
    <section className="side-section" data-testid={`${testId}-section`}>
      <h3>Parameters and services</h3>
      <div className="field">
        <label htmlFor={testId}>Parameter context</label>
        <select
          id={testId}
          data-testid={testId}
          value={own ?? ''}
          disabled={!canEdit}
          onChange={(e) =>
            useStore
              .getState()
              .updateFlow((f) => setBinding(f, path, e.target.value === '' ? undefined : e.target.value))
          }
        >
          <option value="">
            {nested ? `Inherit from parent${inherited ? ` (${inherited})` : ' (none)'}` : 'None'}
          </option>
          {contexts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name ? `${c.name} (${c.id})` : c.id}
            </option>
          ))}
          {own && !contexts.some((c) => c.id === own) && <option value={own}>{own} (not defined)</option>}
        </select>
        <div className="help">
          {nested
            ? '#{name} references in this group resolve against this context (or, inheriting, its parent’s).'
            : '#{name} references resolve against this context (a group may bind its own).'}
        </div>
      </div>
      <div className="side-actions">
        <button
          type="button"
          className="btn"
          data-testid={`${testId}-parameters`}
          onClick={() => openSideView({ kind: 'parameters' })}
        >
          Parameters ({contexts.length} {contexts.length === 1 ? 'context' : 'contexts'})
        </button>
        <button
          type="button"
          className="btn"
          data-testid={`${testId}-services`}
          onClick={() => openSideView({ kind: 'services', path: [...path] })}
        >
          Services ({services})
        </button>
      </div>
    </section>
  );
}
