/**
 * A session's commit on NATS, one outcome for all of it (NiFi's StandardProcessSession.commit on a shared
 * broker): its outputs and provenance are published under a new transaction id (nothing of it is passed on
 * yet), then the decision is recorded in the ledger, and only then are the inputs acknowledged. A failure
 * before the decision records the session as aborted, so what it published is dropped by the readers, and
 * the session rolls back; a crash before the decision is settled the same way by the first reader that
 * waits too long (see txn-ledger). A retry of the inputs therefore never adds a copy of their outputs.
 */
import type { ProvenanceBatch } from '../engine/provenance-batch';
import { type CommitWriter, releaseInputs } from '../engine/session-commit';
import { JetStreamQueue } from './jetstream-queue';
import type { TxnLedger } from './txn-ledger';

export interface TxnProvenance {
  /** Publishes a session's events under its transaction; they are indexed once `settle` says committed. */
  appendBatch(batch: ProvenanceBatch, txn?: string): Promise<void>;
  settle?(txn: string, committed: boolean): void;
}

export function natsCommitWriter(ledger: TxnLedger, provenance: TxnProvenance | undefined): CommitWriter {
  return async (commit) => {
    const outputs = [...commit.outputs].filter(([, ffs]) => ffs.length > 0);
    const events = commit.provenance && commit.provenance.length > 0 ? commit.provenance : undefined;
    if (outputs.length === 0 && !events) {
      await releaseInputs(commit);
      return;
    }
    const txn = ledger.newTxn();
    const writes: Promise<void>[] = outputs.map(([queue, ffs]) =>
      queue instanceof JetStreamQueue ? queue.offer(ffs, { txn }) : Promise.resolve(queue.offer(ffs)),
    );
    if (events && provenance) writes.push(provenance.appendBatch(events, txn));
    let committed = false;
    try {
      const published = await Promise.allSettled(writes);
      const failed = published.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        // Settles the outcome before the rollback: a decision of "committed" cannot be made later by anyone.
        if ((await ledger.abort(txn)) === 'c') committed = true;
        else throw failed.reason;
      } else {
        await ledger.commit(txn);
        committed = true;
      }
    } finally {
      provenance?.settle?.(txn, committed);
    }
    await releaseInputs(commit);
  };
}
