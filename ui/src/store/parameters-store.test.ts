import { describe, expect, test } from 'vitest';
import type { Flow } from '../api/types';
import { addContext, addParameter, scrubSensitive, setBinding, setSensitiveValue } from '../lib/parameters-edit';
import { createAppStore } from './index';

const flow: Flow = {
  schemaVersion: 2,
  id: 'f',
  name: 'F',
  processors: [{ id: 'gen', type: 'GenerateFlowFile', position: { x: 0, y: 0 }, config: {} }],
  connections: [],
  groups: [{ id: 'g', processors: [{ id: 'inner', type: 'LogAttribute', position: { x: 0, y: 0 } }], connections: [] }],
};

describe('flow edits of parameters through the store', () => {
  test('one committed, undoable edit each; the level shown keeps its nodes and selection', () => {
    const store = createAppStore();
    store.getState().loadFlow(flow);
    store.getState().enterGroup('g');
    store.getState().select({ nodes: ['inner'] });
    store.getState().updateFlow((f) => addParameter(addContext(f, 'dev'), 'dev', { name: 'x', value: '1' }));
    store.getState().updateFlow((f) => setBinding(f, ['g'], 'dev'));
    const s = store.getState();
    expect(s.revision).toBe(2);
    expect(s.doc!.parameterContexts).toEqual([{ id: 'dev', parameters: [{ name: 'x', value: '1' }] }]);
    expect(s.doc!.groups![0]!.parameterContext).toBe('dev');
    expect(s.nodes.map((n) => [n.id, n.selected])).toEqual([['inner', true]]);
    store.getState().undo();
    expect(store.getState().doc!.groups![0]!.parameterContext).toBeUndefined();
    store.getState().undo();
    expect(store.getState().doc!.parameterContexts).toBeUndefined();
  });

  test('a secret, once saved, is scrubbed from the document and every undo step without a new revision', () => {
    const store = createAppStore();
    store.getState().loadFlow({
      ...flow,
      parameterContexts: [{ id: 'dev', parameters: [{ name: 'pw', sensitive: true, set: false }] }],
    });
    store.getState().updateFlow((f) => setSensitiveValue(f, 'dev', 'pw', 'hunter2-secret'));
    store.getState().updateFlow((f) => setBinding(f, [], 'dev'));
    const revision = store.getState().revision;
    expect(JSON.stringify(store.getState().doc)).toContain('hunter2-secret');
    store.getState().patchSaved(scrubSensitive);
    const s = store.getState();
    expect(s.revision).toBe(revision);
    expect(JSON.stringify([s.doc, s.meta, s.history])).not.toContain('hunter2-secret');
    expect(s.doc!.parameterContexts![0]!.parameters![0]).toEqual({ name: 'pw', sensitive: true, set: true });
  });
});
