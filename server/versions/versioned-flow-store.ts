/**
 * A FlowPersistence that records a version after each successful save or removal of the store it wraps. It sits
 * inside the EncryptingFlowStore, so it sees flows as they are written to disk: sensitive values encrypted. A
 * version that cannot be recorded (git missing, a full disk) is logged and skipped: the save itself stands.
 * The save waits for its commit, so a version exists when the API answers.
 */
import type { ProcessorLogger } from '../engine/contract';
import type { FlowPersistence, FlowRuntimeState, StoreContents } from '../storage/flow-store';
import type { FlowHistory } from './flow-history';

export class VersionedFlowStore implements FlowPersistence {
  private warned = false;

  constructor(
    private readonly inner: FlowPersistence,
    readonly history: FlowHistory,
    private readonly logger?: ProcessorLogger,
  ) {}

  async open(): Promise<StoreContents> {
    const contents = await this.inner.open();
    await this.history.start(contents.flows).catch((err) => this.warn(err, 'cannot open the versions repository'));
    return contents;
  }

  async save(id: string, flow: unknown): Promise<void> {
    await this.inner.save(id, flow);
    await this.history.record(id, flow).catch((err) => this.warn(err, 'cannot record a version of the flow', id));
  }

  async remove(id: string): Promise<void> {
    await this.inner.remove(id);
    await this.history.recordRemoval(id).catch((err) => this.warn(err, 'cannot record the removal of the flow', id));
  }

  saveState(state: Record<string, FlowRuntimeState>): Promise<void> {
    return this.inner.saveState(state);
  }

  /** Each failure is logged; the hint to install git once. */
  private warn(err: unknown, message: string, flow?: string): void {
    const missing = (err as { code?: unknown }).code === 'ENOENT';
    this.logger?.warn(
      { flow, dir: this.history.dir, err: (err as Error).message },
      missing && !this.warned ? `${message}: git is not installed (flow versions are not kept)` : message,
    );
    if (missing) this.warned = true;
  }
}
