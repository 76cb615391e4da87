/**
 * The flow store of cluster mode: each flow's definition in `flows.<id>` and its running state in
 * `state.<id>` of the `sluice_flows` KV bucket, so every worker sees the same flows and follows their state.
 * Only the server writes; state writes touch only the flows whose state changed.
 */
import type { KV } from 'nats';
import { type FlowPersistence, type FlowRuntimeState, parseState, type StoreContents } from '../storage/flow-store';
import { encodeJson, flowKey, parseJson, stateKey } from './cluster-buckets';

export class KvFlowStore implements FlowPersistence {
  /** The state last written per flow (JSON), so saveState writes only what changed. */
  private written = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly kv: KV) {}

  async open(): Promise<StoreContents> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys()) keys.push(k);
    const flows: StoreContents['flows'] = [];
    const rawState: Record<string, unknown> = {};
    const problems: StoreContents['problems'] = [];
    for (const key of keys.sort()) {
      const e = await this.kv.get(key);
      if (e?.operation !== 'PUT') continue;
      const [kind, id] = splitKey(key);
      if (id === undefined) continue;
      const json = parseJson(e.value);
      if (kind === 'flows') {
        if (json === undefined) problems.push({ file: `kv:${key}`, message: 'not JSON' });
        else flows.push({ id, json });
      } else if (kind === 'state') rawState[id] = json;
    }
    const state = parseState({ flows: rawState });
    for (const [id, s] of Object.entries(state)) this.written.set(id, JSON.stringify(s));
    return { flows, state, fresh: keys.length === 0, problems };
  }

  save(id: string, flow: unknown): Promise<void> {
    return this.serialize(async () => {
      await this.kv.put(flowKey(id), encodeJson(flow));
    });
  }

  remove(id: string): Promise<void> {
    return this.serialize(async () => {
      await this.kv.delete(flowKey(id));
      await this.kv.delete(stateKey(id));
      this.written.delete(id);
    });
  }

  saveState(state: Record<string, FlowRuntimeState>): Promise<void> {
    const snapshot = new Map(Object.entries(state).map(([id, s]) => [id, JSON.stringify(s)]));
    return this.serialize(async () => {
      for (const [id, json] of snapshot) {
        if (this.written.get(id) === json) continue;
        await this.kv.put(stateKey(id), Buffer.from(json, 'utf8'));
        this.written.set(id, json);
      }
    });
  }

  /** Writes one after another, in call order (a failed write does not block the next). */
  private serialize(write: () => Promise<void>): Promise<void> {
    const next = this.chain.then(write, write);
    this.chain = next.catch(() => {});
    return next;
  }
}

/** `flows.orders` → ['flows', 'orders']. */
export function splitKey(key: string): [string, string | undefined] {
  const dot = key.indexOf('.');
  return dot < 0 ? [key, undefined] : [key.slice(0, dot), key.slice(dot + 1)];
}
