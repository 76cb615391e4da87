/**
 * One session, one outcome on a real nats-server: a session whose publish fails on one queue leaves nothing
 * on the others; a session whose process stops between its first message and its decision is aborted by the
 * reader after the decision window, and its late commit is refused; a committed one passes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { newFlowFile } from '../engine/flowfile';
import { ProvenanceBatch } from '../engine/provenance-batch';
import type { SessionCommit } from '../engine/session-commit';
import { connectionSpec, openBackend } from './jetstream-test-kit';
import type { NatsBackend } from './nats-backend';
import { TxnAbortedError } from './txn-ledger';

let nats: NatsServerHandle;
const open: NatsBackend[] = [];

beforeAll(async () => {
  nats = await startNats();
});

afterAll(async () => {
  await Promise.allSettled(open.map((b) => b.close()));
  await nats?.stop();
});

async function backend(options: Parameters<typeof openBackend>[1] = {}): Promise<NatsBackend> {
  const b = await openBackend(nats.url, options);
  open.push(b);
  return b;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function commitOf(
  flowId: string,
  outputs: Map<unknown, ReturnType<typeof newFlowFile>[]>,
  provenance?: ProvenanceBatch,
): SessionCommit {
  return {
    flowId,
    processorId: 'p',
    time: Date.now(),
    outputs: outputs as SessionCommit['outputs'],
    acknowledged: new Map(),
    requeued: new Map(),
    previous: new Map(),
    provenance,
    state: undefined,
  };
}

/** Everything the queue passes on within `ms`. */
async function takeFor(
  queue: { hasAvailable(now: number): boolean; take(n: number, now: number): unknown[] },
  ms: number,
) {
  const got: unknown[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (queue.hasAvailable(Date.now())) got.push(...queue.take(1000, Date.now()));
    await sleep(20);
  }
  return got;
}

describe('a session on NATS has one outcome', () => {
  test('a refused publish on one queue leaves nothing on the other; the retry delivers once', async () => {
    const b = await backend({ maxMessagesPerSubject: 1 });
    const good = b.createQueue('txa', connectionSpec('good'));
    const full = b.createQueue('txa', connectionSpec('full'));
    await b.ready();
    await full.offer([newFlowFile('filler')]); // the subject holds its one message: the next is refused
    const ffs = Array.from({ length: 50 }, (_, i) => newFlowFile(`x${i}`));
    await expect(
      b.commitWriter(
        commitOf(
          'txa',
          new Map([
            [good, ffs],
            [full, [newFlowFile('y')]],
          ]),
        ),
      ),
    ).rejects.toThrow(/refused/);
    expect(b.ledger.stats.aborted).toBe(1);
    expect(await takeFor(good, 1500)).toHaveLength(0);
    expect(good.depth().count).toBe(0);

    // The full queue drains; the same outputs commit now and arrive exactly once.
    await full.drain();
    await b.commitWriter(
      commitOf(
        'txa',
        new Map([
          [good, ffs],
          [full, [newFlowFile('y')]],
        ]),
      ),
    );
    const got = await takeFor(good, 1500);
    expect(got).toHaveLength(50);
    expect(b.ledger.stats.committed).toBe(1);
  });

  test('a session left undecided is aborted by its reader after the window, and its late commit fails', async () => {
    const writer = await backend();
    const reader = await backend({ txnDecideAfterMs: 1500 });
    const out = writer.createQueue('txb', connectionSpec('c'));
    const inn = reader.createQueue('txb', connectionSpec('c'));
    await writer.ready();
    await reader.ready();
    const txn = writer.ledger.newTxn();
    // What a process does before it dies mid-commit: outputs published, no decision.
    await out.offer([newFlowFile('orphan-1'), newFlowFile('orphan-2')], { txn });
    const started = Date.now();
    expect(await takeFor(inn, 1000)).toHaveLength(0); // held while undecided
    const after = await takeFor(inn, 2500);
    expect(after).toHaveLength(0); // dropped once aborted
    expect(reader.ledger.stats.abortedForOthers).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    await expect(writer.ledger.commit(txn)).rejects.toBeInstanceOf(TxnAbortedError);
    // The aborted message left the stream.
    await inn.refresh();
    expect(inn.depth().count).toBe(0);
  });

  test('a committed session reaches another process, once', async () => {
    const writer = await backend();
    const reader = await backend();
    const out = writer.createQueue('txc', connectionSpec('c'));
    const inn = reader.createQueue('txc', connectionSpec('c'));
    await writer.ready();
    await reader.ready();
    const ffs = Array.from({ length: 20 }, (_, i) => newFlowFile(`ok${i}`));
    await writer.commitWriter(commitOf('txc', new Map([[out, ffs]])));
    const got = (await takeFor(inn, 1500)) as { content: Buffer }[];
    expect(got.map((f) => f.content.toString()).sort()).toEqual(ffs.map((f) => f.content.toString()).sort());
  });

  test("an aborted session's provenance is indexed nowhere; a committed one's in every process", async () => {
    const writer = await backend({ provenance: {}, maxMessagesPerSubject: 1 });
    const reader = await backend({ provenance: {} });
    const good = writer.createQueue('txp', connectionSpec('good'));
    const full = writer.createQueue('txp', connectionSpec('full'));
    await writer.ready();
    await full.offer([newFlowFile('filler')]);
    const batchOf = (tag: string) => {
      const batch = new ProvenanceBatch(Date.now(), 'txp', 'gen', 'GenerateFlowFile');
      const ffs = Array.from({ length: 30 }, () => newFlowFile(tag));
      for (const ff of ffs) batch.add('CREATE', ff);
      return { batch, ffs };
    };
    const failed = batchOf('failed');
    await expect(
      writer.commitWriter(
        commitOf(
          'txp',
          new Map([
            [good, failed.ffs],
            [full, [newFlowFile('y')]],
          ]),
          failed.batch,
        ),
      ),
    ).rejects.toThrow(/refused/);
    await full.drain();
    expect(await takeFor(good, 500)).toHaveLength(0); // the reader drops the aborted message
    const ok = batchOf('ok');
    await writer.commitWriter(commitOf('txp', new Map([[good, ok.ffs]]), ok.batch));
    const creates = (b: NatsBackend) => b.provenance!.query({ flowId: 'txp', type: 'CREATE', limit: 1000 });
    const deadline = Date.now() + 5000;
    while (creates(reader).length < 30 && Date.now() < deadline) await sleep(20);
    await sleep(300); // room for a wrongly indexed aborted batch to show up too
    for (const b of [writer, reader]) {
      const ids = new Set(creates(b).map((e) => e.flowFileId));
      expect(ids.size).toBe(30);
      for (const ff of ok.ffs) expect(ids.has(ff.id)).toBe(true);
      for (const ff of failed.ffs) expect(ids.has(ff.id)).toBe(false);
    }
  });
});
