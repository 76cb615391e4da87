import { once } from 'node:events';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import {
  type ConfigOf,
  defineProcessor,
  duration,
  type FlowFile,
  failWith,
  formatDuration,
  serviceReference,
} from '../../sdk';
import type { AmqpConnectionService } from '../../services/amqp-connection/shared-amqp';
import {
  amqpConnectionProperties,
  checkAmqpConnection,
  connectAmqp,
  redactedUrl,
  resolveAmqpUrl,
} from '../amqp-connect';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import { type CompiledExpression, checkExpressions, compileExpression, toAttributeValue } from '../expressions';
import { attributesToHeaders, checkHeaderPattern, compileHeaderPattern, headerProperties } from '../message-headers';

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    connection: serviceReference(
      'amqp-connection',
      'The AMQPConnection service to use instead of the inline settings.',
    ),
    ...amqpConnectionProperties,
    exchange: {
      type: 'string',
      default: '',
      description: 'Exchange to publish to; empty = the default exchange, where the routing key is a queue name.',
    },
    routingKey: { type: 'string', default: '', description: 'Routing key (a queue name on the default exchange).' },
    routingKeyExpression: {
      type: 'string',
      default: '',
      description:
        'JSONata over {attributes, content} giving the routing key per FlowFile; overrides routingKey when set.',
    },
    mandatory: {
      type: 'boolean',
      default: true,
      description: 'Ask the broker to return a message no queue takes; it then goes to failure instead of vanishing.',
    },
    persistent: {
      type: 'boolean',
      default: true,
      description: 'Delivery mode 2: the broker writes the message to disk.',
    },
    batchSize: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 100,
      description: 'FlowFiles per session, published then confirmed together.',
    },
    confirmTimeout: duration(
      'How long to wait for the broker to confirm a batch before the session rolls back and retries.',
      '30s',
    ),
    ...headerProperties('amqp.header.'),
  },
} as const;

type Config = ConfigOf<typeof config>;

interface State {
  url: URL;
  name: string;
  routingKey?: CompiledExpression;
  headerPattern?: RegExp;
  confirmTimeoutMs: number;
  /** The AMQPConnection service's connection, when `connection` references one (never closed here). */
  shared?: AmqpConnectionService;
  model?: ConfirmModel;
}

interface ConfirmModel {
  /** This processor's own connection; undefined on a shared one, where only the channel is ours. */
  model?: ChannelModel;
  channel: ConfirmChannel;
  /** Messages the broker returned as unroutable, by message id, until their confirm arrives. */
  returned: Map<string, Message>;
  broken?: string;
}

/** Closes what this processor opened: its own connection, or its channel on a shared one. */
async function release(cm: ConfirmModel): Promise<void> {
  if (cm.model) await cm.model.close().catch(() => {});
  else await cm.channel.close().catch(() => {});
}

async function open(state: State, cfg: Config): Promise<ConfirmModel> {
  const model = state.shared ? undefined : await connectAmqp(state.url, state.name);
  const channel = model ? await model.createConfirmChannel() : await state.shared!.confirmChannel();
  const cm: ConfirmModel = { model, channel, returned: new Map() };
  const lost = (why: string) => {
    cm.broken ??= why;
    if (state.model === cm) state.model = undefined;
  };
  channel.on('return', (m: Message) => {
    if (typeof m.properties.messageId === 'string') cm.returned.set(m.properties.messageId, m);
  });
  channel.on('error', (err: Error) => lost(err.message));
  channel.on('close', () => lost('channel closed'));
  model?.on('error', (err: Error) => lost(err.message));
  model?.on('close', () => lost('connection closed'));
  if (cfg.exchange !== '') {
    try {
      await channel.checkExchange(cfg.exchange);
    } catch (err) {
      await release(cm);
      throw new Error(`exchange "${cfg.exchange}" on ${redactedUrl(state.url)}: ${(err as Error).message}`);
    }
  }
  return cm;
}

function publishOptions(ff: FlowFile, cfg: Config, headerPattern: RegExp | undefined): Options.Publish {
  const a = ff.attributes;
  const options: Options.Publish = {
    messageId: ff.id,
    persistent: cfg.persistent,
    mandatory: cfg.mandatory,
    timestamp: Math.floor(Date.now() / 1000),
    headers: attributesToHeaders(a, cfg.headerPrefix, headerPattern),
  };
  if (a['mime.type']) options.contentType = a['mime.type'];
  if (a['amqp.content.encoding']) options.contentEncoding = a['amqp.content.encoding'];
  if (a['amqp.correlation.id']) options.correlationId = a['amqp.correlation.id'];
  if (a['amqp.reply.to']) options.replyTo = a['amqp.reply.to'];
  if (a['amqp.type']) options.type = a['amqp.type'];
  if (a['amqp.app.id']) options.appId = a['amqp.app.id'];
  const priority = Number(a['amqp.priority']);
  if (a['amqp.priority'] && Number.isInteger(priority) && priority >= 0 && priority <= 255) options.priority = priority;
  return options;
}

type Outcome = { ok: true } | { ok: false; error: string };

export default defineProcessor({
  type: 'PublishAMQP',
  category: 'messaging',
  description:
    'Publishes each FlowFile as a message to a RabbitMQ (AMQP 0-9-1) exchange with publisher confirms: success once the broker confirms it, failure when the broker rejects (nack) or returns it as unroutable.',
  input: 'required',
  config,
  relationships: [
    { name: 'success', description: 'Confirmed by the broker.' },
    { name: 'failure', description: 'Rejected or returned unroutable by the broker; "amqp.error" says why.' },
  ],
  validate(cfg) {
    const issues = [
      ...checkInlineSettingsAbsent(cfg, amqpConnectionProperties),
      ...checkAmqpConnection(cfg),
      ...checkHeaderPattern('/headerAttributes', cfg.headerAttributes),
    ];
    if (cfg.routingKeyExpression !== '')
      issues.push(...checkExpressions([['/routingKeyExpression', cfg.routingKeyExpression]]));
    return issues;
  },
  async setup(cfg, ctx) {
    const shared = cfg.connection
      ? sharedConnection<AmqpConnectionService>(ctx, cfg.connection, 'amqp-connection')
      : undefined;
    const state: State = {
      shared,
      url: shared ? shared.address : resolveAmqpUrl(cfg),
      name: `sluice ${ctx.flowId}/${ctx.processorId}`,
      routingKey: cfg.routingKeyExpression !== '' ? compileExpression(cfg.routingKeyExpression) : undefined,
      headerPattern: compileHeaderPattern(cfg.headerAttributes),
      confirmTimeoutMs: cfg.confirmTimeout,
    };
    state.model = await open(state, cfg);
    return state;
  },
  async onTrigger(session, { state, config: cfg }) {
    const batch = await session.get(cfg.batchSize);
    if (batch.length === 0) return;
    state.model ??= await open(state, cfg);
    const cm = state.model;
    const keys: string[] = [];
    for (const ff of batch) {
      const key = state.routingKey ? toAttributeValue(await state.routingKey.evaluate(ff)) : cfg.routingKey;
      keys.push(key ?? '');
    }
    const outcomes: Promise<Outcome>[] = [];
    for (let i = 0; i < batch.length; i++) {
      const ff = batch[i]!;
      let written = true;
      outcomes.push(
        new Promise<Outcome>((resolve) => {
          written = cm.channel.publish(
            cfg.exchange,
            keys[i]!,
            ff.content,
            publishOptions(ff, cfg, state.headerPattern),
            (err) => {
              const returned = cm.returned.get(ff.id);
              cm.returned.delete(ff.id);
              if (err) resolve({ ok: false, error: cm.broken ?? 'negatively acknowledged (nack) by the broker' });
              else if (returned) {
                const f = returned.fields as unknown as { replyCode?: number; replyText?: string };
                resolve({ ok: false, error: `unroutable: returned by the broker (${f.replyCode} ${f.replyText})` });
              } else resolve({ ok: true });
            },
          );
        }),
      );
      // The client's write buffer is full: wait for it to drain rather than buffer without bound.
      if (!written) await Promise.race([once(cm.channel, 'drain'), once(cm.channel, 'close')]);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `no publisher confirm from ${redactedUrl(state.url)} within ${formatDuration(cfg.confirmTimeout)}`,
            ),
          ),
        state.confirmTimeoutMs,
      );
    });
    let results: Outcome[];
    try {
      results = await Promise.race([Promise.all(outcomes), timeout]);
    } finally {
      clearTimeout(timer);
    }
    // A channel that closed under the batch (broker down, exchange deleted) is a retry, not a verdict.
    if (cm.broken) {
      if (state.model === cm) state.model = undefined;
      await release(cm);
      throw new Error(`AMQP channel to ${redactedUrl(state.url)} lost while publishing: ${cm.broken}`);
    }
    const base = `${redactedUrl(state.url)}/${encodeURIComponent(cfg.exchange || '(default)')}`;
    for (let i = 0; i < batch.length; i++) {
      const ff = batch[i]!;
      const r = results[i]!;
      if (r.ok) {
        session.reportSend(ff, `${base}/${encodeURIComponent(keys[i]!)}`);
        session.transfer(ff, 'success');
      } else failWith(session, ff, 'amqp.error', r.error);
    }
  },
  async teardown(state) {
    const cm = state.model;
    state.model = undefined;
    // A shared connection is the service's: only this processor's channel is closed.
    if (cm) await release(cm);
  },
});
