import '@xyflow/react/dist/style.css';
import './styles/base.css';
import './styles/theme-dark.css';
import './styles/layout.css';
import './styles/canvas.css';
import './styles/edges.css';
import './styles/lod.css';
import './styles/panels.css';
import './styles/drawers.css';
import './styles/live.css';
import './styles/pages.css';
import './styles/parameters.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { subscribeToEvents } from './api/events';
import { App } from './app';
import { useStore } from './store';
import { startAutosave } from './store/autosave';
import { boot, refreshFlows } from './store/session';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

startAutosave();
const events = subscribeToEvents({
  onStatus: (status) => useStore.getState().applyStatus(status),
  onFlowChange: ({ flowId, action }) => {
    if (action === 'deleted' && flowId === useStore.getState().meta?.id)
      useStore.getState().notify(`Flow "${flowId}" was deleted on the server.`, 'error');
    if (['created', 'deleted', 'updated', 'started', 'stopped'].includes(action)) void refreshFlows();
  },
  onConnectionChange: (live) => useStore.getState().setLive(live),
  onMessage: (heartbeatMs) => useStore.getState().noteMessage(Date.now(), heartbeatMs),
  onSilenceCheck: () => useStore.getState().checkLiveness(Date.now()),
});
// Only the open flow's status is streamed (the canvas shows no other); every flow's changes still are.
useStore.subscribe((state) => events.follow(state.meta?.id));
void boot();
