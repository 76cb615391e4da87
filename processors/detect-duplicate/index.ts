import { defineProcessor, duration, failWith } from '../../sdk';
import { checkExpressions, compileExpression, toAttributeValue } from '../expressions';
import { SerialSessions } from '../serial-sessions';
import { SeenKeys } from './seen-keys';

export default defineProcessor({
  type: 'DetectDuplicate',
  category: 'route',
  description:
    'Routes FlowFiles whose key (a JSONata expression) was already seen within a time window to duplicate, the others to non-duplicate. The keys seen (at most maxEntries, within the window) are persisted state: a restart still knows them. Sessions run one at a time, whatever the concurrency.',
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
      window: duration('How long a key is remembered after it was first seen.', '10 min'),
      maxEntries: {
        type: 'integer',
        minimum: 1,
        maximum: 10000000,
        default: 100000,
        description:
          'Most keys remembered, in memory and in the persisted state (each takes its key plus about 60 bytes); beyond it the oldest is forgotten.',
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
  setup: (config, ctx) => ({
    key: compileExpression(config.key),
    seen: new SeenKeys(config.window, config.maxEntries, ctx.getState()),
    serial: new SerialSessions(),
  }),
  async onTrigger(session, { config, state, getState }) {
    const added: [key: string, id: string][] = [];
    await state.serial.enter(session, {
      onCommit: () => state.seen.markPersisted(),
      onRollback: () => {
        for (const [key, id] of added) state.seen.forget(key, id);
      },
    });
    for (const ff of await session.get(config.batchSize)) {
      let key: string | undefined;
      try {
        key = toAttributeValue(await state.key.evaluate(ff));
        if (key === undefined) throw new Error(`the key expression produced no value: ${config.key}`);
      } catch (err) {
        failWith(session, ff, 'duplicate.error', err);
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
    // Memory and the persisted state agree once this commits (a rolled-back session's adds are forgotten).
    const persisted = state.seen.persisted(getState());
    if (persisted) session.setState(persisted);
  },
});
