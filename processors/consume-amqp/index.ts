import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { type Attributes, type ConfigOf, defineProcessor, type ProcessorLogger, serviceReference } from '../../sdk';
import type { AmqpConnectionService } from '../../services/amqp-connection/shared-amqp';
import {
  amqpConnectionProperties,
  checkAmqpConnection,
  connectAmqp,
  redactedUrl,
  resolveAmqpUrl,
  vhostOf,
} from '../amqp-connect';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import { consumerHeaderProperties, headersToAttributes } from '../message-headers';
import { Inbox } from '../message-inbox';

interface Received {
  message: ConsumeMessage;
  /** Delivery tags are per channel: a message is acked on the channel that delivered it, or not at all. */
  channel: Channel;
}

interface State {
  url: URL;
  name: string;
  inbox: Inbox<Received>;
  /** The AMQPConnection service's connection, when `connection` references one (never closed here). */
  shared?: AmqpConnectionService;
  /** This processor's own connection (inline settings). */
  model?: ChannelModel;
  channel?: Channel;
  /** Earliest time of the next reconnect attempt. */
  retryAt: number;
  retryMs: number;
  closing: boolean;
}

const MAX_RETRY_MS = 30_000;

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    connection: serviceReference(
      'amqp-connection',
      'The AMQPConnection service to use instead of the inline settings.',
    ),
    ...amqpConnectionProperties,
    queue: { type: 'string', minLength: 1, default: 'sluice', description: 'Queue to consume from.' },
    declareQueue: {
      type: 'boolean',
      default: true,
      description: 'Declare the queue (durable) at start if it does not exist; off = it must exist.',
    },
    exchange: {
      type: 'string',
      default: '',
      description: 'When set, the queue is bound at start to this existing exchange with the routing key below.',
    },
    routingKey: {
      type: 'string',
      default: '',
      description: "Binding key for the exchange ('#' = everything on a topic exchange).",
    },
    prefetch: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 100,
      description:
        'Unacknowledged messages the broker may send ahead; a message is acknowledged only after its session commits, so this bounds what Sluice holds while the rest waits in the queue.',
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Messages per session.' },
    ...consumerHeaderProperties('amqp.header.'),
  },
} as const;

/** Properties of an AMQP message worth keeping as attributes. */
function messageAttributes(m: ConsumeMessage, queue: string, headerPrefix: string): Attributes {
  const p = m.properties;
  const out: Attributes = {
    'amqp.queue': queue,
    'amqp.exchange': m.fields.exchange,
    'amqp.routing.key': m.fields.routingKey,
    'amqp.redelivered': String(m.fields.redelivered),
    ...headersToAttributes(p.headers, headerPrefix),
  };
  const optional: [string, unknown][] = [
    ['mime.type', p.contentType],
    ['amqp.content.encoding', p.contentEncoding],
    ['amqp.message.id', p.messageId],
    ['amqp.correlation.id', p.correlationId],
    ['amqp.reply.to', p.replyTo],
    ['amqp.type', p.type],
    ['amqp.app.id', p.appId],
    ['amqp.priority', p.priority],
    ['amqp.timestamp', p.timestamp],
  ];
  for (const [name, value] of optional) if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}

type Config = ConfigOf<typeof config>;

async function open(state: State, cfg: Config, logger: ProcessorLogger): Promise<void> {
  const model = state.shared ? undefined : await connectAmqp(state.url, state.name);
  let channel: Channel | undefined;
  try {
    channel = model ? await model.createChannel() : await state.shared!.channel();
    if (cfg.declareQueue) await channel.assertQueue(cfg.queue, { durable: true });
    else await channel.checkQueue(cfg.queue);
    if (cfg.exchange !== '') await channel.bindQueue(cfg.queue, cfg.exchange, cfg.routingKey);
    await channel.prefetch(cfg.prefetch);
    const lost = (why: string) => {
      if (!channel || state.channel !== channel) return;
      state.channel = undefined;
      state.model = undefined;
      // The broker requeues every unacknowledged message of a closed channel: drop our copies.
      const dropped = state.inbox.discard((r) => r.channel === channel);
      if (!state.closing)
        logger.warn({ url: redactedUrl(state.url), dropped }, `AMQP channel lost: ${why}; will reconnect`);
      // A shared connection stays open for the others (a lost one closed this channel with it).
      if (model) model.close().catch(() => {});
      else channel.close().catch(() => {});
    };
    channel.on('close', () => lost('channel closed'));
    channel.on('error', (err: Error) => lost(err.message));
    model?.on('error', (err: Error) => lost(err.message));
    model?.on('close', () => lost('connection closed'));
    await channel.consume(
      cfg.queue,
      (message) => {
        if (message === null) lost('consumer cancelled by the broker (queue deleted?)');
        else state.inbox.push({ message, channel: channel! });
      },
      { noAck: false },
    );
    state.model = model;
    state.channel = channel;
    state.retryMs = 500;
  } catch (err) {
    if (model) await model.close().catch(() => {});
    else await channel?.close().catch(() => {});
    throw new Error(`queue "${cfg.queue}" on ${redactedUrl(state.url)}: ${(err as Error).message}`);
  }
}

export default defineProcessor({
  type: 'ConsumeAMQP',
  category: 'messaging',
  description:
    'Consumes messages from a RabbitMQ (AMQP 0-9-1) queue, one FlowFile each, headers as attributes; a message is acknowledged only after the session that received it commits (at-least-once), and a rollback requeues it.',
  input: 'forbidden',
  config,
  relationships: [{ name: 'success', description: 'Every received message.' }],
  validate: (cfg) => [...checkInlineSettingsAbsent(cfg, amqpConnectionProperties), ...checkAmqpConnection(cfg)],
  async setup(cfg, ctx) {
    const shared = cfg.connection
      ? sharedConnection<AmqpConnectionService>(ctx, cfg.connection, 'amqp-connection')
      : undefined;
    const state: State = {
      shared,
      url: shared ? shared.address : resolveAmqpUrl(cfg),
      name: `sluice ${ctx.flowId}/${ctx.processorId}`,
      inbox: new Inbox<Received>(ctx.wake),
      retryAt: 0,
      retryMs: 500,
      closing: false,
    };
    await open(state, cfg, ctx.logger);
    return state;
  },
  async onTrigger(session, ctx) {
    const { state, config: cfg } = ctx;
    if (!state.channel && Date.now() >= state.retryAt) {
      try {
        await open(state, cfg, ctx.logger);
      } catch (err) {
        state.retryAt = Date.now() + state.retryMs;
        state.retryMs = Math.min(state.retryMs * 2, MAX_RETRY_MS);
        throw err;
      }
    }
    const batch = state.inbox.take(cfg.batchSize);
    if (batch.length === 0) return;
    const uri = `${redactedUrl(state.url)}/${encodeURIComponent(cfg.queue)}`;
    for (const { message } of batch) {
      const ff = session.create({
        content: message.content,
        attributes: messageAttributes(message, cfg.queue, cfg.headerPrefix),
      });
      session.reportReceive(ff, uri, vhostOf(state.url) === '/' ? undefined : `vhost ${vhostOf(state.url)}`);
      session.transfer(ff, 'success');
    }
    session.afterCommit(() => {
      for (const { message, channel } of batch) if (channel === state.channel) channel.ack(message);
    });
    session.afterRollback(() => {
      for (const { message, channel } of batch) if (channel === state.channel) channel.nack(message, false, true);
    });
  },
  async teardown(state) {
    state.closing = true;
    // Closing the channel first flushes its acks (channels are multiplexed, so a connection close could
    // overtake them); the broker requeues what is still unacknowledged (the inbox). A shared connection is
    // the service's: it stays open.
    await state.channel?.close().catch(() => {});
    await state.model?.close().catch(() => {});
    state.channel = undefined;
    state.model = undefined;
  },
});
