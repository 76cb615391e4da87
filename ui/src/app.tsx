/**
 * The app frame. Where things live: api/ (HTTP client, event stream, types), store/ (zustand slices and the
 * session actions), canvas/ (React Flow, nodes, edges), panels/ (palette, side panel, forms, drawers, dialogs),
 * lineage/ (the lineage graph), lib/ (pure helpers), pages/ (Summary, Bulletins). The address bar picks the canvas
 * or a page (routing.ts) and follows the canvas (route-sync.ts).
 */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { FlowCanvas } from './canvas/flow-canvas';
import { LineageDialog } from './lineage/lineage-dialog';
import { BulletinsPage } from './pages/bulletins-page';
import { CanvasFocus } from './pages/canvas-focus';
import { SummaryPage } from './pages/summary-page';
import { ConnectPicker } from './panels/connect-picker';
import { Notices, ProblemsDialog } from './panels/dialogs';
import { Drawer } from './panels/drawer';
import { LoginPrompt } from './panels/login/login-prompt';
import { Palette } from './panels/palette';
import { SearchDialog } from './panels/search-dialog';
import { ShortcutHelp } from './panels/shortcut-help';
import { SidePanel } from './panels/side-panel';
import { DebugSidebar } from './panels/tap-panel';
import { TestsPanel } from './panels/tests-panel';
import { TopBar } from './panels/top-bar';
import { useSearchShortcut } from './panels/use-search-shortcut';
import { VersionsPanel } from './panels/versions-panel';
import { startRouteSync } from './route-sync';
import { useRoute } from './routing';
import { useStore } from './store';

export function App() {
  const hasFlow = useStore((s) => s.meta !== null);
  const page = useRoute().page;
  useEffect(() => startRouteSync(), []);
  useSearchShortcut();
  return (
    <ReactFlowProvider>
      {page === 'canvas' ? (
        <div className={`app${hasFlow ? '' : ' no-side'}`}>
          <TopBar />
          <Palette />
          <main className="canvas-slot">
            <FlowCanvas />
            {hasFlow && <DebugSidebar />}
            {hasFlow && <VersionsPanel />}
            {hasFlow && <TestsPanel />}
          </main>
          <Drawer />
          {hasFlow && <SidePanel />}
        </div>
      ) : (
        <div className="app page-app">
          <TopBar />
          <main className="page-slot">{page === 'summary' ? <SummaryPage /> : <BulletinsPage />}</main>
        </div>
      )}
      <CanvasFocus />
      <SearchDialog />
      <ProblemsDialog />
      <LineageDialog />
      <ShortcutHelp />
      <ConnectPicker />
      <LoginPrompt />
      <Notices />
    </ReactFlowProvider>
  );
}
