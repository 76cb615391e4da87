import type * as Zmq from 'zeromq';
import { defineProcessor, duration } from '../../sdk';
import { type CompiledExpression, checkExpressions, compileExpression, toAttributeValue } from '../expressions';
import { checkBindHost, checkEndpoint, endpointProperties, resolveEndpoint } from '../zeromq-endpoint';

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    socketType: {
      type: 'string',
      enum: ['push', 'pub'],
      default: 'push',
      description:
        'PUSH (to PULL peers, round robin; waits for a peer) or PUB (to SUB peers; drops when none listens).',
    },
    ...endpointProperties('connect'),
    topic: {
      type: 'string',
      default: '',
      description: 'Sent as a first frame when not empty (SUB peers filter on it).',
    },
    topicExpression: {
      type: 'string',
      default: '',
      description: 'JSONata over {attributes, content} giving the topic per FlowFile; overrides topic when set.',
    },
    sendTimeout: duration(
      'How long a PUSH send may wait for a peer with room; FlowFiles not sent by then go back to the queue and the processor yields.',
      '5s',
    ),
    sendHighWaterMark: {
      type: 'integer',
      minimum: 1,
      default: 1000,
      description: "ZeroMQ's send high-water mark: messages queued per peer inside the socket.",
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
  },
} as const;

interface State {
  socket: Zmq.Push | Zmq.Publisher;
  endpoint: string;
  topic?: CompiledExpression;
  /** The tail of the processor's sends: a ZeroMQ socket refuses a second concurrent send (EBUSY). */
  lock: Promise<void>;
}

const isTimeout = (err: unknown) => (err as { code?: string }).code === 'EAGAIN';

export default defineProcessor({
  type: 'PublishZeroMQ',
  category: 'messaging',
  description:
    'Sends each FlowFile as a ZeroMQ message on a PUSH or PUB socket (bind or connect), with an optional topic frame. ZeroMQ has no acknowledgements: success means handed to the socket.',
  input: 'required',
  config,
  relationships: [{ name: 'success', description: 'Handed to the ZeroMQ socket.' }],
  validate(cfg, ctx) {
    const issues = [...checkEndpoint(cfg.endpoint), ...checkBindHost(cfg.endpoint, cfg.mode, ctx)];
    if (cfg.topicExpression !== '') issues.push(...checkExpressions([['/topicExpression', cfg.topicExpression]]));
    return issues;
  },
  async setup(cfg) {
    const endpoint = resolveEndpoint(cfg.endpoint);
    // Loaded on start, not with the registry: the native addon is only needed when ZeroMQ is used.
    const zmq = await import('zeromq');
    const options = {
      sendHighWaterMark: cfg.sendHighWaterMark,
      sendTimeout: cfg.sendTimeout,
      linger: 0,
    };
    // immediate: queue only to peers actually connected, so a PUSH with no peer waits (and times out)
    // instead of filling a pipe to an endpoint nobody listens on.
    const socket =
      cfg.socketType === 'pub' ? new zmq.Publisher(options) : new zmq.Push({ ...options, immediate: true });
    try {
      if (cfg.mode === 'bind') await socket.bind(endpoint);
      else socket.connect(endpoint);
    } catch (err) {
      socket.close();
      throw new Error(`cannot ${cfg.mode} ${endpoint}: ${(err as Error).message}`);
    }
    return {
      socket,
      endpoint,
      topic: cfg.topicExpression !== '' ? compileExpression(cfg.topicExpression) : undefined,
      lock: Promise.resolve(),
    } satisfies State;
  },
  async onTrigger(session, { state, config: cfg, yield: yieldNow, logger }) {
    const batch = await session.get(cfg.batchSize);
    if (batch.length === 0) return;
    let release!: () => void;
    const previous = state.lock;
    state.lock = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      for (let i = 0; i < batch.length; i++) {
        const ff = batch[i]!;
        const topic = state.topic ? (toAttributeValue(await state.topic.evaluate(ff)) ?? '') : cfg.topic;
        try {
          await state.socket.send(topic !== '' ? [topic, ff.content] : ff.content);
        } catch (err) {
          if (!isTimeout(err)) throw err;
          logger.warn(
            { endpoint: state.endpoint, waiting: batch.length - i },
            `no ZeroMQ peer took a message within ${cfg.sendTimeout}; FlowFiles go back to the queue`,
          );
          for (const rest of batch.slice(i)) session.requeue(rest);
          yieldNow();
          return;
        }
        session.reportSend(ff, state.endpoint);
        session.transfer(ff, 'success');
      }
    } finally {
      release();
    }
  },
  teardown(state) {
    state.socket.close();
  },
});
