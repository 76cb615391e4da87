import type * as Zmq from 'zeromq';
import { defineProcessor, type ProcessorLogger } from '../../sdk';
import { Inbox } from '../message-inbox';
import { checkBindHost, checkEndpoint, endpointProperties, resolveEndpoint } from '../zeromq-endpoint';

interface State {
  socket: Zmq.Pull | Zmq.Subscriber;
  endpoint: string;
  inbox: Inbox<Buffer[]>;
  closed: boolean;
  /** Resolves the receive loop's wait for room in the inbox. */
  room?: () => void;
  loop: Promise<void>;
}

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    socketType: {
      type: 'string',
      enum: ['pull', 'sub'],
      default: 'pull',
      description:
        'PULL (from PUSH peers: work distribution, peers block when Sluice is full) or SUB (from PUB peers).',
    },
    ...endpointProperties('bind'),
    topics: {
      type: 'array',
      items: { type: 'string' },
      default: [''],
      description: 'SUB only: topic prefixes to subscribe to ("" = everything).',
    },
    bufferSize: {
      type: 'integer',
      minimum: 1,
      maximum: 100000,
      default: 100,
      description:
        "Messages Sluice holds before it stops receiving; then ZeroMQ's receive queue fills and a PUSH peer blocks (a PUB peer drops, by ZeroMQ's design).",
    },
    receiveHighWaterMark: {
      type: 'integer',
      minimum: 1,
      default: 1000,
      description: "ZeroMQ's receive high-water mark: messages queued inside the socket beyond bufferSize.",
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Messages per session.' },
  },
} as const;

async function receiveLoop(state: State, bufferSize: number, logger: ProcessorLogger): Promise<void> {
  while (!state.closed) {
    if (state.inbox.size >= bufferSize) {
      await new Promise<void>((resolve) => {
        state.room = resolve;
      });
      continue;
    }
    try {
      state.inbox.push(await state.socket.receive());
    } catch (err) {
      if (state.closed) return;
      logger.warn({ endpoint: state.endpoint, err: (err as Error).message }, 'ZeroMQ receive failed');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export default defineProcessor({
  type: 'ListenZeroMQ',
  category: 'messaging',
  description:
    "Receives messages on a ZeroMQ PULL or SUB socket (bind or connect), one FlowFile each; a SUB message's first frame is its topic. ZeroMQ has no acknowledgements: a message is Sluice's once received (at most once across a crash).",
  input: 'forbidden',
  config,
  relationships: [{ name: 'success', description: 'Every received message.' }],
  validate(cfg, ctx) {
    const issues = [...checkEndpoint(cfg.endpoint), ...checkBindHost(cfg.endpoint, cfg.mode, ctx)];
    if (cfg.socketType !== 'sub' && (cfg.topics.length !== 1 || cfg.topics[0] !== ''))
      issues.push({ path: '/topics', message: 'topics apply to a SUB socket only' });
    return issues;
  },
  async setup(cfg, ctx) {
    const endpoint = resolveEndpoint(cfg.endpoint);
    // Loaded on start, not with the registry: the native addon is only needed when ZeroMQ is used.
    const zmq = await import('zeromq');
    const socket =
      cfg.socketType === 'sub'
        ? new zmq.Subscriber({ receiveHighWaterMark: cfg.receiveHighWaterMark, linger: 0 })
        : new zmq.Pull({ receiveHighWaterMark: cfg.receiveHighWaterMark, linger: 0 });
    if (socket instanceof zmq.Subscriber) socket.subscribe(...cfg.topics);
    try {
      if (cfg.mode === 'bind') await socket.bind(endpoint);
      else socket.connect(endpoint);
    } catch (err) {
      socket.close();
      throw new Error(`cannot ${cfg.mode} ${endpoint}: ${(err as Error).message}`);
    }
    const state = { socket, endpoint, inbox: new Inbox<Buffer[]>(ctx.wake), closed: false } as State;
    state.loop = receiveLoop(state, cfg.bufferSize, ctx.logger);
    return state;
  },
  onTrigger(session, { state, config: cfg }) {
    const batch = state.inbox.take(cfg.batchSize);
    if (state.room && state.inbox.size < cfg.bufferSize) {
      state.room();
      state.room = undefined;
    }
    if (batch.length === 0) return;
    const sub = cfg.socketType === 'sub';
    for (const frames of batch) {
      const topic = sub && frames.length > 1 ? frames[0]!.toString('utf8') : undefined;
      const body = topic !== undefined ? frames.slice(1) : frames;
      const ff = session.create({
        content: body.length === 1 ? body[0]! : Buffer.concat(body),
        attributes: {
          'zeromq.endpoint': state.endpoint,
          'zeromq.frames': String(frames.length),
          ...(topic !== undefined ? { 'zeromq.topic': topic } : {}),
        },
      });
      session.reportReceive(ff, state.endpoint);
      session.transfer(ff, 'success');
    }
    session.afterRollback(() => state.inbox.putBack(batch));
  },
  async teardown(state) {
    state.closed = true;
    state.room?.();
    state.socket.close();
    await state.loop;
  },
});
