/**
 * A flow store that keeps sensitive parameter values encrypted at rest: each is written into the flow's JSON
 * as `sluice:v1:...` (see secret-box.ts) and decrypted when the store is opened, so the server holds plain values
 * in memory only, and a flow file, its backups and its copies never hold one. The value lives with its flow
 * (one atomic write, gone when the flow is deleted) rather than in a separate store that could drift from it.
 * A value that does not decrypt (another key, a changed file) is dropped with a warning: the flow then loads as
 * invalid ("sensitive parameter ... has no value") until the value is set again, or the right key is given
 * (the file is not rewritten until the flow is saved). A plain value written into a flow file by hand is used,
 * and encrypted when the flow is next saved.
 */
import type { ProcessorLogger } from '../engine/contract';
import { mapParameters } from '../parameters/sensitive-values';
import type { FlowPersistence, FlowRuntimeState, StoreContents } from '../storage/flow-store';
import { registerSecrets } from './redactor';
import { isEncrypted, type SecretBox } from './secret-box';

export class EncryptingFlowStore implements FlowPersistence {
  constructor(
    private readonly inner: FlowPersistence,
    private readonly box: SecretBox,
    private readonly logger?: ProcessorLogger,
  ) {}

  async open(): Promise<StoreContents> {
    const contents = await this.inner.open();
    return { ...contents, flows: contents.flows.map((f) => ({ ...f, json: this.decrypt(f.id, f.json) })) };
  }

  save(id: string, flow: unknown): Promise<void> {
    return this.inner.save(id, this.encrypt(flow));
  }

  remove(id: string): Promise<void> {
    return this.inner.remove(id);
  }

  saveState(state: Record<string, FlowRuntimeState>): Promise<void> {
    return this.inner.saveState(state);
  }

  /** Sensitive values encrypted (a value already in the encrypted form is encrypted again: it is a value). */
  encrypt(flow: unknown): unknown {
    return mapParameters(flow, (p) =>
      p.sensitive === true && typeof p.value === 'string' ? { ...p, value: this.box.encrypt(p.value) } : p,
    );
  }

  decrypt(flowId: string, flow: unknown): unknown {
    const plain: string[] = [];
    const json = mapParameters(flow, (p, contextId) => {
      if (p.sensitive !== true || typeof p.value !== 'string') return p;
      if (!isEncrypted(p.value)) {
        // Written by hand into the data directory: used, and encrypted when the flow is next saved.
        this.logger?.warn(
          { flow: flowId, context: contextId, parameter: p.name },
          'sensitive parameter value is stored unencrypted in the flow file; save the flow to encrypt it',
        );
        plain.push(p.value);
        return p;
      }
      try {
        const value = this.box.decrypt(p.value);
        plain.push(value);
        return { ...p, value };
      } catch (err) {
        this.logger?.warn(
          { flow: flowId, context: contextId, parameter: p.name, err: (err as Error).message },
          'sensitive parameter value cannot be decrypted; it is unset until set again',
        );
      }
      const { value: _value, ...rest } = p;
      return rest;
    });
    registerSecrets(plain);
    return json;
  }
}
