import { durationPattern } from '../../flows/flow-schema';
import { defineProcessor } from '../../server/engine/contract';
import { parseDuration } from '../../server/engine/units';
import { checkExpressions, compileExpression, toAttributeValue } from '../expressions';
import { errorText } from '../text';

/** Keys seen, oldest first (a Map keeps insertion order and every insert is "now"). */
class SeenKeys {
  private readonly entries = new Map<string, { at: number; id: string }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The FlowFile id that first had this key within the window, if any. */
  lookup(key: string, now: number): string | undefined {
    this.evict(now);
    return this.entries.get(key)?.id;
  }

  add(key: string, id: string, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { at: now, id });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Undoes an add (the session that made it rolled back). */
  forget(key: string, id: string): void {
    if (this.entries.get(key)?.id === id) this.entries.delete(key);
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.at < this.windowMs) break;
      this.entries.delete(key);
    }
  }
}

export default defineProcessor({
  type: 'DetectDuplicate',
  category: 'route',
  description:
    'Routes FlowFiles whose key (a JSONata expression) was already seen within a time window to duplicate, the others to non-duplicate. Keys are kept in memory per processor.',
  input: 'required',
  routes: true,
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key: {
        type: 'string',
        minLength: 1,
        'x-format': 'jsonata',
        default: 'attributes.`hash.value`',
        description:
          'JSONata expression over {attributes, content} giving the key, e.g. content.orderId or attributes.`hash.value` (after HashContent).',
      },
      window: {
        type: 'string',
        pattern: durationPattern,
        default: '10 min',
        description: 'How long a key is remembered after it was first seen.',
      },
      maxEntries: {
        type: 'integer',
        minimum: 1,
        maximum: 10000000,
        default: 100000,
        description: 'Most keys remembered; beyond it the oldest is forgotten.',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'non-duplicate', description: 'The first FlowFile with its key within the window.' },
    { name: 'duplicate', description: 'The key was seen within the window; "duplicate.of" names the first FlowFile.' },
    {
      name: 'failure',
      description: 'The key expression failed or produced no value; the reason is in "duplicate.error".',
    },
  ],
  validate: (config) => checkExpressions([['/key', config.key]]),
  setup: (config) => ({
    key: compileExpression(config.key),
    seen: new SeenKeys(parseDuration(config.window), config.maxEntries),
  }),
  async onTrigger(session, { config, state }) {
    const added: [key: string, id: string][] = [];
    for (const ff of await session.get(config.batchSize)) {
      let key: string | undefined;
      try {
        key = toAttributeValue(await state.key.evaluate(ff));
        if (key === undefined) throw new Error(`the key expression produced no value: ${config.key}`);
      } catch (err) {
        session.transfer(session.putAttributes(ff, { 'duplicate.error': errorText(err) }), 'failure');
        continue;
      }
      const now = Date.now();
      const first = state.seen.lookup(key, now);
      if (first !== undefined) {
        session.transfer(session.putAttributes(ff, { 'duplicate.of': first }), 'duplicate');
        continue;
      }
      state.seen.add(key, ff.id, now);
      added.push([key, ff.id]);
      session.transfer(ff, 'non-duplicate');
    }
    if (added.length > 0)
      session.afterRollback(() => {
        for (const [key, id] of added) state.seen.forget(key, id);
      });
  },
});
