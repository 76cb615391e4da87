/**
 * The app frame. Where things live: api/ (HTTP client, event stream, types), store/ (zustand slices and the
 * session actions), canvas/ (React Flow, nodes, edges), panels/ (palette, side panel, forms, drawers, dialogs),
 * lineage/ (the lineage graph), lib/ (pure helpers).
 */
import { ReactFlowProvider } from '@xyflow/react';
import { FlowCanvas } from './canvas/flow-canvas';
import { LineageDialog } from './lineage/lineage-dialog';
import { Notices, ProblemsDialog } from './panels/dialogs';
import { Drawer } from './panels/drawer';
import { LoginPrompt } from './panels/login/login-prompt';
import { Palette } from './panels/palette';
import { SidePanel } from './panels/side-panel';
import { TopBar } from './panels/top-bar';
import { useStore } from './store';

export function App() {
  const hasFlow = useStore((s) => s.meta !== null);
  return (
    <ReactFlowProvider>
      <div className={`app${hasFlow ? '' : ' no-side'}`}>
        <TopBar />
        <Palette />
        <main className="canvas-slot">
          <FlowCanvas />
        </main>
        <Drawer />
        {hasFlow && <SidePanel />}
      </div>
      <ProblemsDialog />
      <LineageDialog />
      <LoginPrompt />
      <Notices />
    </ReactFlowProvider>
  );
}
