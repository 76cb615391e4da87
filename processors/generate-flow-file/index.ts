import { randomBytes } from 'node:crypto';
import { defineProcessor } from '../../server/engine/contract';

export default defineProcessor({
  type: 'GenerateFlowFile',
  category: 'source',
  description:
    'Creates FlowFiles with fixed text or random bytes, for testing and load generation; each carries its sequence number in "generate.index".',
  input: 'forbidden',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      content: {
        type: 'string',
        default: '',
        description: 'Text content of each FlowFile (ignored when randomSize > 0).',
      },
      randomSize: {
        type: 'integer',
        minimum: 0,
        maximum: 1073741824,
        default: 0,
        description: 'When above 0, each FlowFile gets this many random bytes instead of the text content.',
      },
      attributes: {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        description: 'Attributes set on each FlowFile.',
      },
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 100000,
        default: 1,
        description: 'FlowFiles created per trigger.',
      },
      count: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'Total FlowFiles to create before stopping (0 = no limit).',
      },
    },
  },
  relationships: [{ name: 'success', description: 'Every generated FlowFile.' }],
  setup: (config) => ({ produced: 0, text: Buffer.from(config.content), returned: [] as [number, number][] }),
  onTrigger(session, { config, state }) {
    // A rolled-back session hands its range of indexes back, so `count` FlowFiles are still made in the end.
    const returned = state.returned.shift();
    let first: number;
    let n: number;
    if (returned) [first, n] = returned;
    else {
      n = config.batchSize;
      if (config.count > 0) n = Math.min(n, config.count - state.produced);
      if (n <= 0) return;
      first = state.produced;
      state.produced += n;
    }
    session.afterRollback(() => {
      state.returned.push([first, n]);
    });
    for (let i = 0; i < n; i++) {
      const content = config.randomSize > 0 ? randomBytes(config.randomSize) : state.text;
      const attributes = { ...config.attributes, 'generate.index': String(first + i) };
      session.transfer(session.create({ content, attributes }), 'success');
    }
  },
});
