import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ResolvedConnection } from '../../../flows/flow-schema';
import { newFlowFile } from '../../engine/flowfile';
import { Session, type SessionHost } from '../../engine/session';
import type { DurableQueue } from './durable-queue';
import { FlowFileRepository } from './flowfile-repository';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'sluice-repo-'));
  dirs.push(d);
  return d;
}

const conn = (id: string, prioritizer = 'fifo') => ({ id, prioritizer }) as unknown as ResolvedConnection;

function open(dir: string, swapThreshold = 20_000): FlowFileRepository {
  return FlowFileRepository.open(dir, { sync: 'always', swapThreshold });
}

function host(inputs: DurableQueue[], output: DurableQueue | undefined): SessionHost {
  return {
    flowId: 'f',
    processorId: 'p',
    processorType: 'Test',
    relationships: new Set(['success']),
    routes: false,
    inputs,
    outputs: new Map(output ? [['success', [output]]] : []),
  };
}

describe('FlowFileRepository', () => {
  test('committed FlowFiles come back after a reopen, in order, with attributes and content', async () => {
    const dir = tempDir();
    let repo = open(dir);
    let q = repo.queueFactory('f', conn('c1')) as DurableQueue;
    const s = new Session(host([], q));
    for (let i = 0; i < 50; i++)
      s.transfer(s.create({ content: `payload ${i}`, attributes: { n: String(i) } }), 'success');
    await s.commit(repo.commitWriter);
    expect(q.depth().count).toBe(50);
    await repo.close();

    repo = open(dir);
    expect(repo.recovery.flowFiles).toBe(50);
    q = repo.queueFactory('f', conn('c1')) as DurableQueue;
    const back = q.take(100, Date.now());
    expect(back.map((ff) => ff.attributes.n)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(back.map((ff) => ff.content.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `payload ${i}`));
    await repo.close();
  });

  test('a consumed FlowFile is gone after a reopen; one taken but not committed comes back', async () => {
    const dir = tempDir();
    let repo = open(dir);
    const a = repo.queueFactory('f', conn('a')) as DurableQueue;
    const b = repo.queueFactory('f', conn('b')) as DurableQueue;
    await a.offer([newFlowFile('1'), newFlowFile('2'), newFlowFile('3')]);
    const s = new Session(host([a], b));
    const [first] = await s.get(1);
    s.transfer(s.putAttributes(first!, { moved: 'yes' }), 'success');
    await s.commit(repo.commitWriter);
    const open2 = new Session(host([a], b));
    await open2.get(1); // in flight when the process "dies"
    await repo.close();

    repo = open(dir);
    const a2 = repo.queueFactory('f', conn('a')) as DurableQueue;
    const b2 = repo.queueFactory('f', conn('b')) as DurableQueue;
    expect(a2.take(10, Date.now()).map((ff) => ff.content.toString())).toEqual(['2', '3']);
    const moved = b2.take(10, Date.now());
    expect(moved.map((ff) => [ff.content.toString(), ff.attributes.moved])).toEqual([['1', 'yes']]);
    await repo.close();
  });

  test('processor state commits with the session and survives a reopen', async () => {
    const dir = tempDir();
    let repo = open(dir);
    const q = repo.queueFactory('f', conn('c')) as DurableQueue;
    const s = new Session(host([], q));
    s.transfer(s.create({ content: 'x' }), 'success');
    s.setState({ count: '1' });
    await s.commit(repo.commitWriter);
    expect(repo.processorState('f', 'p')).toEqual({ count: '1' });
    await repo.close();
    repo = open(dir);
    expect(repo.processorState('f', 'p')).toEqual({ count: '1' });
    await repo.close();
  });

  test('beyond the swap threshold entries wait on disk and come back in order', async () => {
    const dir = tempDir();
    let repo = open(dir, 100);
    let q = repo.queueFactory('f', conn('c')) as DurableQueue;
    for (let batch = 0; batch < 10; batch++)
      await q.offer(Array.from({ length: 50 }, (_, i) => newFlowFile(String(batch * 50 + i))));
    expect(q.depth().count).toBe(500);
    expect(q.swappedOut).toBeGreaterThanOrEqual(400);
    const seen: string[] = [];
    for (;;) {
      const got = q.take(30, Date.now());
      if (got.length === 0) break;
      await q.acknowledge(got);
      seen.push(...got.map((ff) => ff.content.toString()));
      if (seen.length === 240) break;
    }
    await repo.close();
    repo = open(dir, 100);
    expect(repo.recovery.flowFiles).toBe(260);
    q = repo.queueFactory('f', conn('c')) as DurableQueue;
    expect(q.depth().count).toBe(260);
    for (;;) {
      const got = q.take(30, Date.now());
      if (got.length === 0) break;
      await q.acknowledge(got);
      seen.push(...got.map((ff) => ff.content.toString()));
    }
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
    await repo.close();
  });

  test('content nobody refers to moves to the archive and is removed by age; provenance names claims', async () => {
    const dir = tempDir();
    const repo = FlowFileRepository.open(dir, { sync: 'batch', contentArchiveMaxAgeMs: 0 });
    const q = repo.queueFactory('f', conn('c')) as DurableQueue;
    const s = new Session(host([], q));
    s.transfer(s.create({ content: 'keep me' }), 'success');
    await s.commit(repo.commitWriter);
    const ff = q.find(q.list(1, Date.now())[0]!.id);
    const claim = repo.content.claimOf(ff!.content)!;
    expect(repo.content.read(claim)?.toString()).toBe('keep me');
    const drop = new Session(host([q], undefined));
    const [taken] = await drop.get(1);
    drop.remove(taken!);
    await drop.commit(repo.commitWriter);
    expect(repo.content.archiveBytes).toBe(7);
    expect(repo.content.has(claim)).toBe(true);
    expect(await repo.content.cleanup(Date.now() + 1)).toBe(1);
    expect(repo.content.has(claim)).toBe(false);
    await repo.close();
  });

  test('large content lives in a file of its own and survives a reopen', async () => {
    const dir = tempDir();
    let repo = FlowFileRepository.open(dir, { sync: 'always', contentFileThreshold: 1024 });
    const q = repo.queueFactory('f', conn('c')) as DurableQueue;
    const big = Buffer.alloc(5000, 7);
    await q.offer([newFlowFile(big)]);
    await repo.close();
    repo = FlowFileRepository.open(dir, { sync: 'always', contentFileThreshold: 1024 });
    const [ff] = (repo.queueFactory('f', conn('c')) as DurableQueue).take(1, Date.now());
    expect(ff!.content.equals(big)).toBe(true);
    await repo.close();
  });
});
