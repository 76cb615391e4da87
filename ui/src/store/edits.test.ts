import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Flow } from '../api/types';
import { canvasToFlow, flowToCanvas } from '../flow-mapping';
import {
  connectRelationship,
  copySelected,
  groupProcessors,
  groupToFlowFile,
  importIntoLevel,
  pasteClip,
  removeSelected,
  ungroupGroup,
} from './edits';
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

describe('group and ungroup', () => {
  const byId = <T extends { id: string }>(list: readonly T[] | undefined) =>
    [...(list ?? [])].sort((a, b) => a.id.localeCompare(b.id));

  test('grouping two processors cuts the crossing connections at new ports', () => {
    const out = groupProcessors(flow, ['route', 'log'], { id: 'g', name: 'Routing' })!;
    expect(out.groupId).toBe('g');
    const level = out.level;
    expect(level.processors!.map((p) => p.id)).toEqual(['gen']);
    const group = level.groups![0]!;
    expect(group).toMatchObject({ id: 'g', name: 'Routing', position: { x: 0, y: 200 } });
    expect(group.processors!.map((p) => [p.id, p.position])).toEqual([
      ['route', { x: 0, y: 0 }],
      ['log', { x: 0, y: 200 }],
    ]);
    expect(group.inputPorts!.map((p) => p.id)).toEqual(['from-gen']);
    expect(group.outputPorts).toEqual([]);
    // Outside: gen's relationship now leads to the group's input port.
    expect(level.connections).toEqual([
      { id: 'gen-route', source: 'gen', relationships: ['success'], target: { group: 'g', port: 'from-gen' } },
    ]);
    // Inside: from the port to route, and route → log as it was.
    expect(byId(group.connections)).toEqual([
      { id: 'gen-route', source: 'from-gen', relationships: ['success'], target: 'route' },
      { id: 'route-log', source: 'route', relationships: ['big'], target: 'log' },
    ]);
  });

  test('a connection leaving the group becomes an output port and one from {group, port}', () => {
    const { level } = groupProcessors(flow, ['gen', 'route'], { id: 'src' })!;
    const group = level.groups![0]!;
    expect(group.outputPorts!.map((p) => p.id)).toEqual(['to-log']);
    expect(level.connections).toEqual([
      { id: 'route-log', source: { group: 'src', port: 'to-log' }, relationships: ['success'], target: 'log' },
    ]);
    expect(byId(group.connections)).toContainEqual({
      id: 'route-log',
      source: 'route',
      relationships: ['big'],
      target: 'to-log',
    });
  });

  test('ungroup undoes group (processors, positions and connections)', () => {
    for (const ids of [['route', 'log'], ['gen', 'route'], ['route'], ['gen', 'route', 'log']]) {
      const { level, groupId } = groupProcessors(flow, ids)!;
      const back = ungroupGroup(level, groupId)!;
      expect(back.groups).toEqual([]);
      expect(byId(back.processors)).toEqual(byId(flow.processors));
      expect(byId(back.connections)).toEqual(byId(flow.connections));
    }
  });

  test('ungroup renames what would clash, and refuses a group that holds groups', () => {
    const level = {
      processors: [{ id: 'a', type: 'LogAttribute', position: { x: 0, y: 0 } }],
      connections: [],
      groups: [
        {
          id: 'g',
          position: { x: 100, y: 100 },
          processors: [{ id: 'a', type: 'LogAttribute', position: { x: 5, y: 5 } }],
          connections: [],
        },
        { id: 'h', groups: [{ id: 'inner' }] },
      ],
    };
    const out = ungroupGroup(level, 'g')!;
    expect(out.processors!.map((p) => [p.id, p.position])).toEqual([
      ['a', { x: 0, y: 0 }],
      ['a-2', { x: 105, y: 105 }],
    ]);
    expect(ungroupGroup(level, 'h')).toBeNull();
    expect(groupProcessors(level, ['nope'])).toBeNull();
  });

  test('grouping inside the nested example keeps a flow that round-trips through the canvas', () => {
    const nested = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '../../../flows/examples/nested-groups.json'), 'utf8'),
    ) as Flow;
    const { level } = groupProcessors(nested, ['log-accepted', 'log-rejected'], { id: 'logs' })!;
    const group = level.groups!.find((g) => g.id === 'logs')!;
    expect(group.inputPorts!.map((p) => p.id)).toEqual(['from-intake-accepted', 'from-intake-rejected']);
    expect(level.connections).toContainEqual({
      id: 'accepted-to-log',
      source: { group: 'intake', port: 'accepted' },
      relationships: ['success'],
      target: { group: 'logs', port: 'from-intake-accepted' },
    });
  });
});

const nestedExample = (): Flow =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../flows/examples/nested-groups.json'), 'utf8'));

describe('copy and paste of groups', () => {
  test('a copied group card comes whole, with the connections to its ports; paste gives it a fresh id', () => {
    const nested = nestedExample();
    const { meta, nodes, edges, others } = flowToCanvas(nested);
    const sel = (id: string) => id === 'generate' || id === 'intake' || id === 'about';
    const selNodes = nodes.map((n) => ({ ...n, selected: sel(n.id) }));
    const selOthers = others.map((n) => ({ ...n, selected: sel(n.id) }));
    const clip = copySelected(selNodes, edges, selOthers)!;
    expect(clip.processors.map((p) => p.id)).toEqual(['generate']);
    expect(clip.groups!.map((g) => g.id)).toEqual(['intake']);
    // only the connection with both ends in the selection (labels are not copied)
    expect(clip.connections.map((c) => c.id)).toEqual(['generate-to-intake']);
    const intake = nested.groups![0]!;
    expect(clip.groups![0]).toEqual(intake);

    const pasted = pasteClip(clip, selNodes, edges, { x: 40, y: 40 }, selOthers);
    const result = canvasToFlow(meta, pasted.nodes, pasted.edges, pasted.others);
    expect(result.groups!.map((g) => g.id)).toEqual(['intake', 'intake-2']);
    const copy = result.groups![1]!;
    const { id: _a, position: p1, ...restCopy } = copy;
    const { id: _b, position: p0, ...restOriginal } = intake;
    // nested content, ports and inner connections as they were
    expect(restCopy).toEqual(restOriginal);
    expect(p1).toEqual({ x: p0!.x + 40, y: p0!.y + 40 });
    expect(result.processors.map((p) => p.id)).toEqual(['generate', 'log-accepted', 'log-rejected', 'generate-2']);
    expect(result.connections.at(-1)).toMatchObject({
      id: 'generate-to-intake-2',
      source: 'generate-2',
      target: { group: 'intake-2', port: 'orders' },
    });
    expect(pasted.others.filter((n) => n.selected).map((n) => n.id)).toEqual(['intake-2']);
    // deep copy: changing the pasted group leaves the original alone
    copy.processors![0]!.name = 'changed';
    expect(intake.processors![0]!.name).not.toBe('changed');
  });

  test('a group alone can be copied and pasted twice', () => {
    const { nodes, edges, others } = flowToCanvas(nestedExample());
    const selOthers = others.map((n) => ({ ...n, selected: n.id === 'intake' }));
    const clip = copySelected(nodes, edges, selOthers)!;
    expect(clip.processors).toEqual([]);
    const once = pasteClip(clip, nodes, edges, { x: 40, y: 40 }, selOthers);
    const twice = pasteClip(clip, once.nodes, once.edges, { x: 80, y: 80 }, once.others);
    expect(twice.others.filter((n) => n.type === 'processGroup').map((n) => n.id)).toEqual([
      'intake',
      'intake-2',
      'intake-3',
    ]);
  });
});

describe('group files', () => {
  test('a group exports as a flow whose single top-level group it is, ports included', () => {
    const intake = nestedExample().groups![0]!;
    const file = groupToFlowFile(intake);
    expect(file).toMatchObject({ schemaVersion: 2, id: 'intake', name: intake.name, processors: [], connections: [] });
    expect(file.groups).toHaveLength(1);
    expect(file.groups![0]!.inputPorts).toEqual(intake.inputPorts);
    expect(file.groups![0]!.outputPorts).toEqual(intake.outputPorts);
    expect(file.groups![0]!.groups).toEqual(intake.groups);
  });

  test('importing a file of one group adds that group, renamed when its id is taken', () => {
    const nested = nestedExample();
    const file = groupToFlowFile(nested.groups![0]!);
    const { level, groupId } = importIntoLevel(nested, file, { x: 900, y: 0 });
    expect(groupId).toBe('intake-2');
    const added = level.groups![1]!;
    expect(added).toMatchObject({ id: 'intake-2', position: { x: 900, y: 0 } });
    expect(added.inputPorts).toEqual(nested.groups![0]!.inputPorts);
    expect(level.processors).toEqual(nested.processors);
  });

  test('importing a whole flow wraps its top level in a new group named after the file', () => {
    const { level, groupId } = importIntoLevel({ processors: [], connections: [] }, flow);
    expect(groupId).toBe('f');
    expect(level.groups![0]).toEqual({
      id: 'f',
      name: 'F',
      processors: flow.processors,
      connections: flow.connections,
      position: { x: 0, y: 0 },
    });
    // the nested example: processors, labels and the group move in together, renamed around a clash
    const nested = nestedExample();
    const out = importIntoLevel({ processors: [{ id: 'nested-groups', type: 'LogAttribute' }] }, nested);
    expect(out.groupId).toBe('nested-groups-2');
    const g = out.level.groups![0]!;
    expect(g.groups!.map((x) => x.id)).toEqual(['intake']);
    expect(g.labels).toEqual(nested.labels);
  });
});
