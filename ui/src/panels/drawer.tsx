/** The bottom drawer: the queue inspector or provenance search, whichever is open, resizable by its top edge. */
import { useStore } from '../store';
import { DrawerResizeHandle, useDrawerHeight } from './drawer-resize';
import { ProvenancePanel } from './provenance-panel';
import { QueueInspector } from './queue-inspector';

export function Drawer() {
  const drawer = useStore((s) => s.drawer);
  const [height, setHeight] = useDrawerHeight();
  if (!drawer) return null;
  return (
    <section className="drawer" style={{ height }} data-testid={`drawer-${drawer.kind}`}>
      <DrawerResizeHandle height={height} onResize={setHeight} />
      {drawer.kind === 'queue' ? (
        <QueueInspector key={drawer.connectionId} connectionId={drawer.connectionId} />
      ) : (
        <ProvenancePanel />
      )}
    </section>
  );
}
