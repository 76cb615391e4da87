import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import LogAttribute from '.';

describe('LogAttribute', () => {
  test('logs attributes at the level, with the prefix, and passes the FlowFile on', async () => {
    const run = processorRunner(LogAttribute, { logLevel: 'warn', prefix: 'audit: ' });
    const ff = run.enqueue('secret', { k: 'v' });
    await run.trigger();
    expect(run.logs).toHaveLength(1);
    expect(run.logs[0]).toMatchObject({ level: 'warn', msg: `audit: FlowFile ${ff.id}` });
    expect((run.logs[0]!.obj as { attributes: Record<string, string> }).attributes.k).toBe('v');
    expect((run.logs[0]!.obj as { content?: string }).content).toBeUndefined();
    expect(run.transferred('success')).toHaveLength(1);
  });

  test('logs content truncated when asked; empty and binary content are fine', async () => {
    const run = processorRunner(LogAttribute, { logPayload: true, maxPayloadBytes: 4 });
    run.enqueue('abcdefgh');
    run.enqueue('');
    run.enqueue(Buffer.from([0xff, 0xfe]));
    await run.trigger();
    expect(run.logs.map((l) => (l.obj as { content: string }).content)).toEqual(['abcd', '', '\ufffd\ufffd']);
  });

  test('level none logs nothing', async () => {
    const run = processorRunner(LogAttribute, { logLevel: 'none' });
    run.enqueue('x');
    await run.trigger();
    expect(run.logs).toHaveLength(0);
    expect(run.debugs).toHaveLength(0);
    expect(run.transferred('success')).toHaveLength(1);
  });

  test("each line also goes to the flow's debug panel (ctx.debug), with attributes and the logged content", async () => {
    const run = processorRunner(LogAttribute, { logPayload: true, maxPayloadBytes: 3, prefix: 'p: ' });
    const ff = run.enqueue('hello', { k: 'v' });
    await run.trigger();
    expect(run.debugs).toHaveLength(1);
    expect(run.debugs[0]).toMatchObject({ message: `p: FlowFile ${ff.id}`, flowFileId: ff.id, content: 'hel' });
    expect(run.debugs[0]!.attributes?.k).toBe('v');
  });
});
