import { describe, expect, test } from 'vitest';
import { LINEAGE_MAX_FLOWFILES, type ProvenanceEvent } from '../engine/provenance';
import { buildLineage } from './lineage';

let nextId = 1;
function event(e: Pick<ProvenanceEvent, 'type' | 'flowFileId'> & Partial<ProvenanceEvent>): ProvenanceEvent {
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

function lineageOf(flowFileId: string, events: ProvenanceEvent[]) {
  return buildLineage(flowFileId, (id) =>
    events.filter((e) => e.flowFileId === id || e.parentIds.includes(id) || e.childIds.includes(id)),
  );
}

const link = (l: ReturnType<typeof lineageOf>, from: ProvenanceEvent, to: ProvenanceEvent) =>
  l.edges.some((e) => e.source === `e${from.eventId}` && e.target === `e${to.eventId}`);

describe('lineage of a split that is merged back', () => {
  // One request split in two, each part enriched and dropped by the merge, which JOINs them into one batch.
  const create = event({ type: 'RECEIVE', flowFileId: 'req' });
  const fork = event({ type: 'FORK', flowFileId: 'req', childIds: ['a', 'b'] });
  const dropReq = event({ type: 'DROP', flowFileId: 'req' });
  const enrichA = event({ type: 'CONTENT_MODIFIED', flowFileId: 'a' });
  const enrichB = event({ type: 'CONTENT_MODIFIED', flowFileId: 'b' });
  const dropA = event({ type: 'DROP', flowFileId: 'a', componentId: 'merge' });
  const join = event({ type: 'JOIN', flowFileId: 'batch', componentId: 'merge', parentIds: ['a', 'b'] });
  const dropB = event({ type: 'DROP', flowFileId: 'b', componentId: 'merge' });
  const send = event({ type: 'SEND', flowFileId: 'batch' });
  const events = [create, fork, dropReq, enrichA, enrichB, dropA, join, dropB, send];

  test('the FORK links to each child, and each child to the JOIN that merged it', () => {
    const lineage = lineageOf('req', events);
    expect(lineage.flowFileIds.sort()).toEqual(['a', 'b', 'batch', 'req']);
    expect(link(lineage, fork, enrichA)).toBe(true);
    expect(link(lineage, fork, enrichB)).toBe(true);
    // From the parts' last events before the JOIN that are not their DROP by the merge itself.
    expect(link(lineage, enrichA, join)).toBe(true);
    expect(link(lineage, enrichB, join)).toBe(true);
    expect(link(lineage, join, send)).toBe(true);
    // Every event but the first has an edge into it: the graph is one piece.
    const targets = new Set(lineage.edges.map((e) => e.target));
    expect(lineage.nodes.filter((n) => !targets.has(n.id)).map((n) => n.eventId)).toEqual([create.eventId]);
    expect(new Set(lineage.edges.map((e) => e.id)).size).toBe(lineage.edges.length);
  });

  test('asked from the merged FlowFile, the same graph', () => {
    const fromBatch = lineageOf('batch', events);
    const fromRequest = lineageOf('req', events);
    expect(fromBatch.edges.map((e) => e.id).sort()).toEqual(fromRequest.edges.map((e) => e.id).sort());
  });
});

test('a clone whose child names its parent is linked once, from the CLONE', () => {
  const create = event({ type: 'CREATE', flowFileId: 'x' });
  const clone = event({ type: 'CLONE', flowFileId: 'x', childIds: ['y'] });
  const drop = event({ type: 'DROP', flowFileId: 'y', parentIds: ['x'] });
  const lineage = lineageOf('x', [create, clone, drop]);
  expect(lineage.edges.filter((e) => e.target === `e${drop.eventId}`).map((e) => e.source)).toEqual([
    `e${clone.eventId}`,
  ]);
});

describe('lineage of a very wide split', () => {
  test('holds the nearest 1,000 FlowFiles, the parent first, and says it is truncated', () => {
    const kids = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    const fork = event({ type: 'FORK', flowFileId: 'wide', childIds: kids });
    const events = [
      event({ type: 'CREATE', flowFileId: 'wide' }),
      fork,
      ...kids.map((k) => event({ type: 'ROUTE', flowFileId: k })),
    ];
    const l = lineageOf('k4999', events);
    expect(l.flowFileIds).toHaveLength(LINEAGE_MAX_FLOWFILES);
    expect(l.flowFileIds.slice(0, 2)).toEqual(['k4999', 'wide']);
    expect(l.truncated).toBe(true);
    const narrow = [event({ type: 'FORK', flowFileId: 'p', childIds: ['c1', 'c2'] })];
    expect(lineageOf('c1', narrow).truncated).toBeUndefined();
  });
});
