import { randomBytes } from 'node:crypto';
import { defineProcessor, type ProcessorStateValues } from '../../sdk';
import { SerialSessions } from '../serial-sessions';

export default defineProcessor({
  type: 'GenerateFlowFile',
  category: 'source',
  description:
    'Creates FlowFiles with fixed text or random bytes, for testing and load generation; each carries its sequence number in "generate.index". The number is persisted state: after a restart it goes on where the last commit left it, so no index repeats or is skipped and count is a total. Sessions run one at a time, whatever the concurrency.',
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
        description: 'Total FlowFiles to create before stopping (0 = no limit), counted across restarts.',
      },
    },
  },
  relationships: [{ name: 'success', description: 'Every generated FlowFile.' }],
  setup: (config, ctx) => {
    nextIndex(ctx.getState()); // a state it cannot read stops the start, rather than counting from 0 again
    return { text: Buffer.from(config.content), serial: new SerialSessions() };
  },
  async onTrigger(session, { config, state, getState }) {
    // The next index is the committed one: a rolled-back session leaves it as it was, so the next session
    // makes the same indexes again, and a restart goes on from what was committed (no repeat, no gap).
    await state.serial.enter(session);
    const first = nextIndex(getState());
    let n = config.batchSize;
    if (config.count > 0) n = Math.min(n, config.count - first);
    if (n <= 0) return;
    session.setState({ [NEXT_INDEX]: String(first + n) });
    for (let i = 0; i < n; i++) {
      const content = config.randomSize > 0 ? randomBytes(config.randomSize) : state.text;
      const attributes = { ...config.attributes, 'generate.index': String(first + i) };
      session.transfer(session.create({ content, attributes }), 'success');
    }
  },
});

/** The persisted state's one key: the "generate.index" of the next FlowFile. */
const NEXT_INDEX = 'nextIndex';

function nextIndex(state: ProcessorStateValues | undefined): number {
  const raw = state?.[NEXT_INDEX];
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw new Error(`the persisted state has ${NEXT_INDEX} = ${JSON.stringify(raw)}, not a non-negative integer`);
  return n;
}
