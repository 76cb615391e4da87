import { describe, expect, test } from 'vitest';
import { MemoryQueue } from '../storage/memory-queue';
import { newFlowFile } from './flowfile';
import type { NewProvenanceEvent } from './provenance';
import { Session, type SessionHost } from './session';
import { applyCommitWith } from './session-commit';

function setup() {
  const input = new MemoryQueue('in');
  const output = new MemoryQueue('out');
  const host: SessionHost = {
    flowId: 'f',
    processorId: 'p',
    processorType: 'Test',
    relationships: new Set(['success']),
    routes: false,
    inputs: [input],
    outputs: new Map([['success', [output]]]),
  };
  return { input, output, host };
}

describe('Session.requeue', () => {
  test('returns unchanged inputs to the front of their queue, in order, unacknowledged and uncounted', async () => {
    const { input, output, host } = setup();
    const ffs = ['a', 'b', 'c', 'd'].map((c) => newFlowFile(c));
    input.offer(ffs);
    const session = new Session(host);
    const [a, b, c] = await session.get(3);
    session.transfer(a!, 'success');
    session.requeue(b!);
    session.requeue(c!);
    const events: NewProvenanceEvent[] = [];
    const result = await session.commit(
      applyCommitWith((e) => {
        events.push(...e.toEvents());
      }),
    );
    expect(result.in).toBe(1);
    expect(result.bytesIn).toBe(1);
    expect(events.map((e) => e.flowFileId)).not.toContain(b!.id);
    expect(input.depth()).toMatchObject({ count: 3, inFlight: 0, penalized: 0 });
    expect(input.take(10, Date.now()).map((ff) => ff.content.toString())).toEqual(['b', 'c', 'd']);
    expect(output.depth().count).toBe(1);
  });

  test('refuses a FlowFile the session changed or created', async () => {
    const { input, host } = setup();
    input.offer([newFlowFile('x')]);
    const session = new Session(host);
    const [ff] = await session.get(1);
    const changed = session.putAttributes(ff!, { k: 'v' });
    expect(() => session.requeue(changed)).toThrow(/only unchanged inputs/);
    expect(() => session.requeue(session.create())).toThrow(/only unchanged inputs/);
  });

  test('a requeued FlowFile still goes back penalized when the session rolls back', async () => {
    const { input, host } = setup();
    input.offer([newFlowFile('x')]);
    const session = new Session(host);
    const [ff] = await session.get(1);
    session.requeue(ff!);
    await session.rollback(60_000);
    expect(input.depth()).toMatchObject({ count: 1, penalized: 1, inFlight: 0 });
  });
});
