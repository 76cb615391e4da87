import { expect, test } from 'vitest';
import { buildLineage } from '../../../server/storage/lineage';
import type { ProvenanceEvent } from '../api/types';
import { lineageToGraph } from './lineage-mapping';

let nextId = 1;
function event(e: Partial<ProvenanceEvent> & Pick<ProvenanceEvent, 'type' | 'flowFileId'>): ProvenanceEvent {
  const eventId = nextId++;
  return {
    eventId,
    time: 1000 + eventId,
    flowId: 'f',
    componentId: 'p',
    componentType: 'X',
    parentIds: [],
    childIds: [],
    attributes: {},
    contentSize: 0,
    lineageStartDate: 1000,
    ...e,
  };
}

test('a cloned FlowFile: parent and child events, linked in time order and parent → child', () => {
  const events = [
    event({ type: 'CREATE', flowFileId: 'a', componentId: 'gen' }),
    event({ type: 'CLONE', flowFileId: 'a', componentId: 'gen', childIds: ['b'] }),
    event({ type: 'DROP', flowFileId: 'a', componentId: 'log1' }),
    event({ type: 'DROP', flowFileId: 'b', componentId: 'log2', parentIds: ['a'] }),
  ];
  const lineage = buildLineage('a', (id) =>
    events.filter((e) => e.flowFileId === id || e.parentIds.includes(id) || e.childIds.includes(id)),
  );
  const names: Record<string, string> = { gen: 'Generate', log1: 'Log one', log2: 'Log two' };
  const { nodes, edges } = lineageToGraph(lineage, (id) => names[id] ?? id);

  expect(nodes.map((n) => [n.data.event.type, n.data.event.flowFileId, n.data.root])).toEqual([
    ['CREATE', 'a', true],
    ['CLONE', 'a', true],
    ['DROP', 'a', true],
    ['DROP', 'b', false],
  ]);
  expect(nodes[0]!.data.componentName).toBe('Generate');
  const child = edges.find((e) => e.animated)!;
  expect([child.source, child.target]).toEqual([nodes[1]!.id, nodes[3]!.id]);
  // laid out top to bottom: the CREATE above the CLONE above both DROPs
  expect(nodes[0]!.position.y).toBeLessThan(nodes[1]!.position.y);
  expect(nodes[1]!.position.y).toBeLessThan(Math.min(nodes[2]!.position.y, nodes[3]!.position.y));
});

test('a split merged back: the parts hang below the FORK and lead, labelled "joined", into the JOIN', () => {
  const events = [
    event({ type: 'RECEIVE', flowFileId: 'req', componentId: 'listen' }),
    event({ type: 'FORK', flowFileId: 'req', componentId: 'split', childIds: ['p1', 'p2'] }),
    event({ type: 'CONTENT_MODIFIED', flowFileId: 'p1', componentId: 'enrich' }),
    event({ type: 'CONTENT_MODIFIED', flowFileId: 'p2', componentId: 'enrich' }),
    event({ type: 'JOIN', flowFileId: 'batch', componentId: 'merge', parentIds: ['p1', 'p2'] }),
    event({ type: 'SEND', flowFileId: 'batch', componentId: 'put' }),
  ];
  const lineage = buildLineage('p1', (id) =>
    events.filter((e) => e.flowFileId === id || e.parentIds.includes(id) || e.childIds.includes(id)),
  );
  const { nodes, edges } = lineageToGraph(lineage);
  const byType = (type: string, ff: string) =>
    nodes.find((n) => n.data.event.type === type && n.data.event.flowFileId === ff)!;
  const join = byType('JOIN', 'batch');
  const intoJoin = edges.filter((e) => e.target === join.id);
  expect(intoJoin.map((e) => e.source).sort()).toEqual(
    [byType('CONTENT_MODIFIED', 'p1').id, byType('CONTENT_MODIFIED', 'p2').id].sort(),
  );
  expect(intoJoin.every((e) => e.label === 'joined' && e.animated)).toBe(true);
  expect(edges.filter((e) => e.source === byType('FORK', 'req').id).map((e) => e.label)).toEqual(['child', 'child']);
  // Drawn top to bottom: the FORK above the parts, the parts above the JOIN.
  expect(byType('FORK', 'req').position.y).toBeLessThan(byType('CONTENT_MODIFIED', 'p1').position.y);
  expect(byType('CONTENT_MODIFIED', 'p1').position.y).toBeLessThan(join.position.y);
});
