import { describe, expect, test } from 'vitest';
import type { Flow } from '../api/types';
import { canvasToFlow, flowToCanvas } from '../flow-mapping';
import { connectRelationship, copySelected, pasteClip, removeSelected } from './edits';
import { EMPTY_HISTORY, record, redo, undo } from './history';

const flow: Flow = {
  schemaVersion: 1,
  id: 'f',
  name: 'F',
  processors: [
    { id: 'gen', type: 'GenerateFlowFile', position: { x: 0, y: 0 }, config: { batchSize: 5 } },
    { id: 'route', type: 'RouteOnAttribute', position: { x: 0, y: 200 }, config: { routes: { big: 'true' } } },
    { id: 'log', type: 'LogAttribute', position: { x: 0, y: 400 }, autoTerminate: ['success'] },
  ],
  connections: [
    { id: 'gen-route', source: 'gen', relationships: ['success'], target: 'route' },
    { id: 'route-log', source: 'route', relationships: ['big'], target: 'log' },
  ],
};

describe('connectRelationship', () => {
  test('a relationship to a processor not yet joined makes a new connection', () => {
    const { edges } = flowToCanvas(flow);
    const next = connectRelationship(edges, { source: 'gen', relationship: 'success', target: 'log' });
    expect(next).toHaveLength(3);
    expect(next[2]).toMatchObject({ source: 'gen', target: 'log', sourceHandle: 'success' });
    expect(next[2]!.data!.spec).toEqual({ id: 'gen-success-log', relationships: ['success'] });
  });

  test('a second relationship between the same two processors joins the existing connection', () => {
    const { edges } = flowToCanvas(flow);
    const next = connectRelationship(edges, { source: 'route', relationship: 'unmatched', target: 'log' });
    expect(next).toHaveLength(2);
    expect(next[1]!.data!.spec.relationships).toEqual(['big', 'unmatched']);
    expect(connectRelationship(next, { source: 'route', relationship: 'big', target: 'log' })).toBe(next);
  });
});

describe('delete, copy and paste', () => {
  test('deleting a processor takes its connections with it', () => {
    const { nodes, edges } = flowToCanvas(flow);
    const out = removeSelected(
      nodes.map((n) => ({ ...n, selected: n.id === 'route' })),
      edges,
    );
    expect(out.nodes.map((n) => n.id)).toEqual(['gen', 'log']);
    expect(out.edges).toEqual([]);
    expect(out.removed).toBe(3);
  });

  test('a selected edge alone can be deleted', () => {
    const { nodes, edges } = flowToCanvas(flow);
    const out = removeSelected(
      nodes,
      edges.map((e) => ({ ...e, selected: e.id === 'route-log' })),
    );
    expect(out.nodes).toHaveLength(3);
    expect(out.edges.map((e) => e.id)).toEqual(['gen-route']);
  });

  test('copy keeps the selection and the connections inside it; paste renames and offsets them', () => {
    const { meta, nodes, edges } = flowToCanvas(flow);
    const selected = nodes.map((n) => ({ ...n, selected: n.id !== 'gen' }));
    const clip = copySelected(selected, edges)!;
    expect(clip.processors.map((p) => p.id)).toEqual(['route', 'log']);
    expect(clip.connections.map((c) => c.id)).toEqual(['route-log']);
    const pasted = pasteClip(clip, selected, edges, { x: 40, y: 40 });
    const result = canvasToFlow(meta, pasted.nodes, pasted.edges);
    expect(result.processors.map((p) => p.id)).toEqual(['gen', 'route', 'log', 'route-2', 'log-2']);
    expect(result.processors[3]).toMatchObject({ position: { x: 40, y: 240 }, config: { routes: { big: 'true' } } });
    expect(result.connections[2]).toMatchObject({ id: 'route-log-2', source: 'route-2', target: 'log-2' });
    expect(pasted.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['route-2', 'log-2']);
    // the pasted config is a copy, not shared with the original
    (result.processors[3]!.config as { routes: Record<string, string> }).routes.big = 'false';
    expect((result.processors[1]!.config as { routes: Record<string, string> }).routes.big).toBe('true');
  });

  test('nothing selected, nothing copied', () => {
    const { nodes, edges } = flowToCanvas(flow);
    expect(copySelected(nodes, edges)).toBeNull();
  });
});

describe('history', () => {
  test('undo and redo walk committed documents; a new commit clears redo', () => {
    const a = { ...flow, name: 'a' };
    const b = { ...flow, name: 'b' };
    const c = { ...flow, name: 'c' };
    let h = record(record(EMPTY_HISTORY, a), b); // current is c
    const u1 = undo(h, c)!;
    expect(u1.flow.name).toBe('b');
    const u2 = undo(u1.history, u1.flow)!;
    expect(u2.flow.name).toBe('a');
    expect(undo(u2.history, u2.flow)).toBeNull();
    const r1 = redo(u2.history, u2.flow)!;
    expect(r1.flow.name).toBe('b');
    h = record(r1.history, r1.flow);
    expect(redo(h, { ...flow, name: 'd' })).toBeNull();
  });
});
