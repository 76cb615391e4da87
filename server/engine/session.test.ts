import { describe, expect, test } from 'vitest';
import { MemoryQueue } from '../storage/memory-queue';
import { newFlowFile } from './flowfile';
import type { NewProvenanceEvent } from './provenance';
import { Session, type SessionHost, UnaccountedFlowFilesError } from './session';
import { applyCommitWith } from './session-commit';

function setup(outputs: Record<string, number> = { success: 1 }, routes = false) {
  const input = new MemoryQueue('in');
  const queues = new Map<string, MemoryQueue[]>();
  for (const [rel, n] of Object.entries(outputs))
    queues.set(
      rel,
      Array.from({ length: n }, (_, i) => new MemoryQueue(`${rel}-${i}`)),
    );
  const host: SessionHost = {
    flowId: 'flow',
    processorId: 'proc',
    processorType: 'TestProcessor',
    relationships: new Set(['success', 'failure', 'dropped']),
    routes,
    inputs: [input],
    outputs: queues,
  };
  const events: NewProvenanceEvent[] = [];
  const commit = (s: Session) => s.commit(applyCommitWith((e) => void events.push(...e.toEvents())));
  return { input, queues, host, events, commit };
}

const take = (q: MemoryQueue) => q.take(1000, Date.now());

describe('Session', () => {
  test('transfer enqueues on the relationship’s connection and acknowledges the input', async () => {
    const { input, queues, host, events, commit } = setup();
    input.offer([newFlowFile('a'), newFlowFile('b')]);
    const s = new Session(host);
    const got = await s.get(10);
    expect(got).toHaveLength(2);
    expect(input.depth()).toMatchObject({ count: 2, inFlight: 2 });
    for (const ff of got) s.transfer(s.putAttributes(ff, { seen: 'yes' }), 'success');
    const result = await commit(s);
    expect(result).toMatchObject({ in: 2, out: 2, bytesIn: 2, bytesOut: 2 });
    expect(input.depth().count).toBe(0);
    const out = take(queues.get('success')![0]!);
    expect(out.map((ff) => ff.attributes.seen)).toEqual(['yes', 'yes']);
    expect(out.map((ff) => ff.id)).toEqual(got.map((ff) => ff.id));
    expect(events.map((e) => e.type)).toEqual(['ATTRIBUTES_MODIFIED', 'ATTRIBUTES_MODIFIED']);
    expect(events[0]!.attributes.seen).toBe('yes');
  });

  test('describe: details on the events of a FlowFile, and the children’s on their FORK when the parent has none', async () => {
    const { input, host, events, commit } = setup({ success: 1 });
    input.offer([newFlowFile('a'), newFlowFile('b')]);
    const s = new Session(host);
    const [a, b] = await s.get(2);
    for (const [i, region] of ['eu', 'us'].entries()) {
      const child = s.create({ parents: [a!], content: `part ${i}` });
      s.describe(child, `${region}: ${i + 1} records`);
      s.transfer(child, 'success');
    }
    s.transfer(a!, 'success');
    s.describe(b!, '3 records');
    s.transfer(s.write(b!, 'changed'), 'success');
    await commit(s);
    const fork = events.find((e) => e.type === 'FORK')!;
    expect(fork).toMatchObject({ flowFileId: a!.id, details: 'eu: 1 records; us: 2 records' });
    expect(events.find((e) => e.type === 'CONTENT_MODIFIED')).toMatchObject({
      flowFileId: b!.id,
      details: '3 records',
    });
  });

  test('a relationship wired to two connections sends a clone to the second, with a CLONE event', async () => {
    const { host, queues, events, commit } = setup({ success: 2 });
    const s = new Session(host);
    const ff = s.create({ content: 'hello', attributes: { k: 'v' } });
    s.transfer(ff, 'success');
    expect(await commit(s)).toMatchObject({ out: 2 });
    const [first] = take(queues.get('success')![0]!);
    const [second] = take(queues.get('success')![1]!);
    expect(first!.id).toBe(ff.id);
    expect(second!.id).not.toBe(ff.id);
    expect(second!.attributes.uuid).toBe(second!.id);
    expect(second!.attributes.k).toBe('v');
    expect(second!.content.toString()).toBe('hello');
    const clone = events.find((e) => e.type === 'CLONE')!;
    expect(clone).toMatchObject({ flowFileId: ff.id, parentIds: [ff.id], childIds: [second!.id] });
    expect(events.map((e) => e.type)).toEqual(['CREATE', 'CLONE']);
  });

  test('remove drops the FlowFile with a DROP event; an auto-terminated relationship drops too', async () => {
    const { input, host, events, commit } = setup();
    input.offer([newFlowFile('x'), newFlowFile('y')]);
    const s = new Session(host);
    const [x, y] = await s.get(2);
    s.remove(x!);
    s.transfer(y!, 'dropped');
    await commit(s);
    expect(events.map((e) => [e.type, e.flowFileId])).toEqual([
      ['DROP', x!.id],
      ['DROP', y!.id],
    ]);
    expect(events[1]!.details).toContain('auto-terminated');
    expect(input.depth().count).toBe(0);
  });

  test('commit refuses a FlowFile that was neither transferred nor removed, naming it', async () => {
    const { input, host, commit } = setup();
    const ff = newFlowFile('lost?');
    input.offer([ff]);
    const s = new Session(host);
    await s.get(1);
    await expect(commit(s)).rejects.toThrow(UnaccountedFlowFilesError);
    await expect(commit(s)).rejects.toThrow(ff.id);
    await s.rollback(0);
    expect(input.depth()).toMatchObject({ count: 1, inFlight: 0 });
  });

  test('transfer to an unknown relationship throws at once', () => {
    const { host } = setup();
    const s = new Session(host);
    const ff = s.create();
    expect(() => s.transfer(ff, 'nonexistent')).toThrow('"nonexistent" is not a relationship of processor "proc"');
  });

  test('rollback returns inputs to their queue, penalized, and discards created FlowFiles', async () => {
    const { input, queues, host, events } = setup();
    const ff = newFlowFile('retry me');
    input.offer([ff]);
    const s = new Session(host);
    const [got] = await s.get(1);
    s.transfer(s.create({ parents: [got!] }), 'success');
    const returned = await s.rollback(60_000);
    expect(returned.map((f) => f.id)).toEqual([ff.id]);
    expect(input.depth()).toMatchObject({ count: 1, penalized: 1, inFlight: 0 });
    expect(input.hasAvailable(Date.now())).toBe(false);
    expect(input.hasAvailable(Date.now() + 60_001)).toBe(true);
    expect(queues.get('success')![0]!.depth().count).toBe(0);
    expect(events).toEqual([]);
  });

  test('create with one parent is a FORK, with several a JOIN; children inherit attributes and lineage', async () => {
    const { input, host, events, commit } = setup();
    const a = newFlowFile('a', { common: '1', only: 'a' }, 1000);
    const b = newFlowFile('b', { common: '1', only: 'b' }, 2000);
    input.offer([a, b]);
    const s = new Session(host);
    const [pa, pb] = await s.get(2);
    const f1 = s.create({ parents: [pa!], content: 'a1' });
    const f2 = s.create({ parents: [pa!], content: 'a2' });
    const joined = s.create({ parents: [pa!, pb!] });
    expect(f1.attributes.only).toBe('a');
    expect(joined.attributes).toMatchObject({ common: '1' });
    expect(joined.attributes.only).toBeUndefined();
    expect(joined.lineageStartDate).toBe(1000);
    for (const ff of [f1, f2, joined]) s.transfer(ff, 'success');
    s.remove(pa!);
    s.remove(pb!);
    await commit(s);
    const fork = events.find((e) => e.type === 'FORK')!;
    expect(fork).toMatchObject({ flowFileId: a.id, childIds: [f1.id, f2.id] });
    expect(events.find((e) => e.type === 'JOIN')).toMatchObject({ flowFileId: joined.id, parentIds: [a.id, b.id] });
  });

  test('a router’s transfers are ROUTE events naming the relationship', async () => {
    const { host, events, commit } = setup({ success: 1, failure: 1 }, true);
    const s = new Session(host);
    s.transfer(s.create(), 'failure');
    await commit(s);
    expect(events.map((e) => [e.type, e.relationship])).toEqual([
      ['CREATE', undefined],
      ['ROUTE', 'failure'],
    ]);
  });

  test('afterCommit runs only after a commit, afterRollback only after a rollback', async () => {
    const calls: string[] = [];
    const { host, commit } = setup();
    const ok = new Session(host);
    ok.afterCommit(() => void calls.push('commit'));
    ok.afterRollback(() => void calls.push('rollback-1'));
    ok.transfer(ok.create(), 'success');
    await commit(ok);
    const bad = new Session(host);
    bad.afterCommit(() => void calls.push('commit-2'));
    bad.afterRollback(() => void calls.push('rollback'));
    await bad.rollback(0);
    expect(calls).toEqual(['commit', 'rollback']);
  });
});
