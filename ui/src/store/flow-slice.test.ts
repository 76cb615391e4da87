import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Flow, ProcessorDescriptor } from '../api/types';
import { createAppStore } from './index';

const catalog: ProcessorDescriptor[] = [
  {
    type: 'GenerateFlowFile',
    description: 'makes FlowFiles',
    category: 'source',
    input: 'forbidden',
    dynamicRelationships: false,
    relationships: [{ name: 'success', description: 'all' }],
    config: { type: 'object', properties: { batchSize: { type: 'integer', default: 1 }, attributes: { default: {} } } },
  },
  {
    type: 'LogAttribute',
    description: 'logs',
    category: 'sink',
    input: 'required',
    dynamicRelationships: false,
    relationships: [{ name: 'success', description: 'all' }],
    config: { type: 'object', properties: { logLevel: { enum: ['info', 'debug'], default: 'info' } } },
  },
];

const empty: Flow = { schemaVersion: 1, id: 'f', name: 'F', processors: [], connections: [] };

function storeWithFlow(flow: Flow = empty) {
  const store = createAppStore();
  store.getState().setProcessors(catalog);
  store.getState().loadFlow(flow);
  return store;
}

describe('flow slice', () => {
  test('adding, wiring and configuring processors commits a new document each time', () => {
    const store = storeWithFlow();
    const s = store.getState;
    const gen = s().addProcessor('GenerateFlowFile', { x: 10.4, y: 20.6 })!;
    const log = s().addProcessor('LogAttribute', { x: 10, y: 220 })!;
    expect([gen, log]).toEqual(['generate-flow-file', 'log-attribute']);
    expect(s().doc!.processors[0]).toEqual({
      id: 'generate-flow-file',
      type: 'GenerateFlowFile',
      name: 'GenerateFlowFile',
      position: { x: 10, y: 21 },
      config: { batchSize: 1, attributes: {} },
    });
    expect(
      s()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual([log]);
    s().connect({ source: gen, sourceHandle: 'success', target: log, targetHandle: 'in' });
    s().updateProcessor(log, (p) => ({ ...p, autoTerminate: ['success'] }));
    expect(s().revision).toBe(4);
    expect(s().doc!.connections).toEqual([
      { id: 'generate-flow-file-success-log-attribute', source: gen, relationships: ['success'], target: log },
    ]);
    expect(s().doc!.processors[1]!.autoTerminate).toEqual(['success']);
  });

  test('selection and drags in progress do not commit; the end of a drag does', () => {
    const store = storeWithFlow();
    const s = store.getState;
    const id = s().addProcessor('LogAttribute', { x: 0, y: 0 })!;
    const rev = s().revision;
    s().onNodesChange([{ type: 'select', id, selected: false }]);
    s().onNodesChange([{ type: 'position', id, position: { x: 50, y: 50 }, dragging: true }]);
    expect(s().revision).toBe(rev);
    expect(s().doc!.processors[0]!.position).toEqual({ x: 0, y: 0 });
    s().onNodesChange([{ type: 'position', id, position: { x: 80.7, y: 90.2 }, dragging: false }]);
    expect(s().revision).toBe(rev + 1);
    expect(s().doc!.processors[0]!.position).toEqual({ x: 81, y: 90 });
  });

  test('undo and redo restore whole documents, including deletes of connected processors', () => {
    const store = storeWithFlow();
    const s = store.getState;
    const gen = s().addProcessor('GenerateFlowFile', { x: 0, y: 0 })!;
    const log = s().addProcessor('LogAttribute', { x: 0, y: 200 })!;
    s().connect({ source: gen, sourceHandle: 'success', target: log, targetHandle: 'in' });
    const wired = s().doc!;
    s().select({ nodes: [gen] });
    s().deleteSelection();
    expect(s().doc!.processors.map((p) => p.id)).toEqual([log]);
    expect(s().doc!.connections).toEqual([]);
    s().undo();
    expect(s().doc).toEqual(wired);
    expect(s().edges).toHaveLength(1);
    s().redo();
    expect(s().doc!.connections).toEqual([]);
    s().undo();
    s().undo();
    expect(s().doc!.connections).toEqual([]);
    expect(s().doc!.processors).toHaveLength(2);
  });

  test('copy and paste duplicate the selection under new ids', () => {
    const store = storeWithFlow();
    const s = store.getState;
    s().addProcessor('GenerateFlowFile', { x: 0, y: 0 });
    expect(s().copySelection()).toBe(true);
    s().paste();
    s().paste();
    expect(s().doc!.processors.map((p) => [p.id, p.position])).toEqual([
      ['generate-flow-file', { x: 0, y: 0 }],
      ['generate-flow-file-2', { x: 40, y: 40 }],
      ['generate-flow-file-3', { x: 80, y: 80 }],
    ]);
  });

  test('renaming the flow and editing a connection are committed too', () => {
    const store = storeWithFlow({
      ...empty,
      processors: [
        { id: 'a', type: 'GenerateFlowFile', position: { x: 0, y: 0 } },
        { id: 'b', type: 'LogAttribute', position: { x: 0, y: 200 } },
      ],
      connections: [{ id: 'c', source: 'a', relationships: ['success'], target: 'b' }],
    });
    const s = store.getState;
    s().renameFlow('Renamed');
    s().updateConnection('c', (c) => ({ ...c, backPressure: { objects: 50 } }));
    expect(s().doc).toMatchObject({ name: 'Renamed', connections: [{ id: 'c', backPressure: { objects: 50 } }] });
    expect(s().revision).toBe(2);
    s().renameFlow('Renamed');
    expect(s().revision).toBe(2);
  });
});

describe('levels, funnels, labels and groups in the store', () => {
  const nested = JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, '../../../flows/examples/nested-groups.json'), 'utf8'),
  ) as Flow;

  test('entering a group, editing there writes back into the nested flow; breadcrumbs go back', () => {
    const store = storeWithFlow(nested);
    const s = store.getState;
    s().enterGroup('intake');
    s().enterGroup('checks');
    expect(s().path).toEqual(['intake', 'checks']);
    expect(s().nodes.map((n) => n.id)).toEqual(['validate']);
    s().onNodesChange([{ type: 'position', id: 'validate', position: { x: 7, y: 8 }, dragging: false }]);
    s().connect({ source: 'in', sourceHandle: 'out', target: 'valid', targetHandle: 'in' });
    s().connect({ source: 'validate', sourceHandle: 'invalid', target: 'pricing', targetHandle: '@in:in' });
    const checks = s().doc!.groups![0]!.groups![0]!;
    expect(checks.processors![0]!.position).toEqual({ x: 7, y: 8 });
    expect(checks.connections).toContainEqual({
      id: 'in-success-valid',
      source: 'in',
      relationships: ['success'],
      target: 'valid',
    });
    expect(checks.connections!.find((c) => c.id === 'validate-to-pricing')!.relationships).toEqual([
      'unmatched',
      'invalid',
    ]);
    expect(s().revision).toBe(3);
    s().undo();
    expect(s().path).toEqual(['intake', 'checks']);
    s().goToLevel(0);
    expect(s().path).toEqual([]);
    expect(s().others.map((n) => n.id)).toEqual(['intake', 'about']);
  });

  test('a funnel and a label are added at the level shown', () => {
    const store = storeWithFlow(nested);
    const s = store.getState;
    s().enterGroup('intake');
    expect(s().addFunnel({ x: 1, y: 2 })).toBe('funnel');
    expect(s().addLabel({ x: 3, y: 4 }, 'hi')).toBe('label');
    const intake = s().doc!.groups![0]!;
    expect(intake.funnels!.map((f) => f.id)).toEqual(['rejects', 'funnel']);
    expect(intake.labels).toEqual([
      { id: 'label', text: 'hi', size: { width: 220, height: 80 }, color: '#fde68a', position: { x: 3, y: 4 } },
    ]);
  });

  test('group the selection and ungroup it again', () => {
    const store = storeWithFlow(nested);
    const s = store.getState;
    s().select({ nodes: ['log-accepted', 'log-rejected'] });
    const id = s().groupSelection()!;
    expect(id).toBe('group');
    expect(s().nodes.map((n) => n.id)).toEqual(['generate']);
    expect(s().others.find((n) => n.id === id)?.selected).toBe(true);
    expect(s().doc!.groups!.find((g) => g.id === id)!.inputPorts).toHaveLength(2);
    expect(s().ungroup(id)).toBe(true);
    expect(
      s()
        .nodes.map((n) => n.id)
        .sort(),
    ).toEqual(['generate', 'log-accepted', 'log-rejected']);
    expect(s().ungroup('intake')).toBe(false);
  });
});

describe('labels and groups in the flow slice', () => {
  const nested = (): Flow =>
    JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../flows/examples/nested-groups.json'), 'utf8'));

  test('editing a label changes its text, colour and size as one undoable edit each', () => {
    const store = storeWithFlow(nested());
    const s = store.getState;
    s().updateLabel('about', { text: 'Hello', color: '#bbf7d0' });
    expect(s().doc!.labels![0]).toMatchObject({ id: 'about', text: 'Hello', color: '#bbf7d0' });
    const rev = s().revision;
    s().updateLabel('about', { size: { width: 300, height: 120 }, position: { x: 10.6, y: 20.2 } });
    expect(s().doc!.labels![0]).toMatchObject({ size: { width: 300, height: 120 }, position: { x: 11, y: 20 } });
    expect(s().revision).toBe(rev + 1);
    s().undo();
    expect(s().doc!.labels![0]).toMatchObject({ text: 'Hello', color: '#bbf7d0' });
    expect(s().doc!.labels![0]!.size).toEqual(nested().labels![0]!.size);
  });

  test('copy and paste of a selected group card, and import of a flow file into a level', () => {
    const store = storeWithFlow(nested());
    const s = store.getState;
    s().select({ nodes: ['intake'] });
    expect(s().copySelection()).toBe(true);
    s().paste();
    expect(s().doc!.groups!.map((g) => g.id)).toEqual(['intake', 'intake-2']);
    expect(s().others.find((n) => n.selected)?.id).toBe('intake-2');
    s().paste();
    expect(s().doc!.groups!.map((g) => g.id)).toEqual(['intake', 'intake-2', 'intake-3']);
    expect(s().doc!.groups![2]!.position).toEqual({
      x: s().doc!.groups![0]!.position!.x + 80,
      y: s().doc!.groups![0]!.position!.y + 80,
    });

    s().enterGroup('intake');
    const id = s().importIntoThisLevel(empty);
    expect(id).toBe('f');
    expect(s().doc!.groups![0]!.groups!.map((g) => g.id)).toEqual(['checks', 'f']);
    s().undo();
    expect(s().doc!.groups![0]!.groups!.map((g) => g.id)).toEqual(['checks']);
  });
});
