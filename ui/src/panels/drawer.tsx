/** The bottom drawer: the queue inspector or provenance search, whichever is open. */
import { useStore } from '../store';
import { ProvenancePanel } from './provenance-panel';
import { QueueInspector } from './queue-inspector';

export function Drawer() {
  const drawer = useStore((s) => s.drawer);
  if (!drawer) return null;
  return (
    <section className="drawer" data-testid={`drawer-${drawer.kind}`}>
      {drawer.kind === 'queue' ? (
        <QueueInspector key={drawer.connectionId} connectionId={drawer.connectionId} />
      ) : (
        <ProvenancePanel />
      )}
    </section>
  );
}
