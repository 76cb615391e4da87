import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  type JsMsg,
  type Msg,
  type NatsConnection,
  type Subscription,
} from 'nats';
import { type Attributes, defineProcessor, type SetupContext, serviceReference } from '../../sdk';
import type { NatsConnectionService } from '../../services/nats-connection';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import {
  checkJetStreamConfig,
  checkNatsUrl,
  connectNats,
  ensureStream,
  headersToAttributes,
  natsProperties,
  transitUri,
} from '../nats';
import { errorText } from '../text';

/** How long a JetStream pull waits for messages before asking again (the client's minimum). */
const PULL_EXPIRES_MS = 1000;

interface ConsumeState {
  nc: NatsConnection;
  /** `nc` is a NATSConnection service's: never drained or closed here. */
  shared: boolean;
  uri: string;
  /** Received, not yet in a session. */
  buffer: (Msg | JsMsg)[];
  closed: boolean;
  dropped: number;
  /** The engine's backpressure check, captured at the first trigger. */
  backPressured: () => boolean;
  subscription?: Subscription;
  pulling?: Promise<void>;
  fetch?: ConsumerMessages;
  /** Wakes the pull loop when the buffer drained or the processor stops. */
  resume: () => void;
}

function isJs(m: Msg | JsMsg): m is JsMsg {
  return typeof (m as JsMsg).ack === 'function' && 'info' in m;
}

function attributesOf(m: Msg | JsMsg): Attributes {
  const attributes: Attributes = { ...headersToAttributes(m.headers), 'nats.subject': m.subject };
  if (isJs(m)) {
    attributes['nats.stream'] = m.info.stream;
    attributes['nats.sequence'] = String(m.seq);
    attributes['nats.redelivered'] = String(m.redelivered);
    attributes['nats.delivery.count'] = String(m.info.redeliveryCount);
  } else if ((m as Msg).reply) attributes['nats.reply'] = (m as Msg).reply!;
  return attributes;
}

/**
 * JetStream: pulls a batch whenever the buffer is empty and the flow is not backpressured, so a full
 * downstream queue stops the pulling and the messages wait in the stream.
 */
async function pullLoop(state: ConsumeState, consumer: Consumer, batchSize: number, ctx: SetupContext) {
  while (!state.closed) {
    if (state.buffer.length > 0 || state.backPressured()) {
      await new Promise<void>((resolve) => {
        state.resume = resolve;
        setTimeout(resolve, 200);
      });
      continue;
    }
    try {
      state.fetch = await consumer.fetch({ max_messages: batchSize, expires: PULL_EXPIRES_MS });
      for await (const m of state.fetch) {
        if (state.closed) {
          m.nak();
          continue;
        }
        state.buffer.push(m);
        ctx.wake();
      }
    } catch (err) {
      if (state.closed) break;
      ctx.logger.warn({ processor: ctx.processorId, err: errorText(err) }, 'ConsumeNATS pull failed; retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export default defineProcessor({
  type: 'ConsumeNATS',
  category: 'source',
  description:
    'Receives NATS messages as FlowFiles, headers as attributes: a core subject (optionally in a queue group) or a JetStream stream through a durable consumer, acknowledged only after the session commits (at least once).',
  input: 'forbidden',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      connection: serviceReference(
        'nats-connection',
        'The NATSConnection service to use instead of the inline settings.',
      ),
      ...natsProperties,
      subject: {
        type: 'string',
        pattern: '^\\S+$',
        default: 'sluice.in',
        description: "Subject to receive, wildcards allowed (jetstream: the consumer's filter subject).",
      },
      durable: {
        type: 'string',
        pattern: '^[^.*>\\s]*$',
        default: '',
        description: 'jetstream: durable consumer name; created if missing, and it remembers what was acknowledged.',
      },
      queueGroup: {
        type: 'string',
        default: '',
        description: 'core: queue group, so several consumers share the messages ("" = every consumer gets all).',
      },
      maxBuffered: {
        type: 'integer',
        minimum: 1,
        maximum: 1000000,
        default: 10000,
        description:
          'core: messages held while the flow is backpressured; beyond this they are dropped (core NATS cannot redeliver) and counted in a warning.',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Messages per session.' },
    },
  },
  relationships: [
    {
      name: 'success',
      description:
        'One FlowFile per message: headers as attributes, nats.subject, and for jetstream nats.stream, nats.sequence, nats.redelivered, nats.delivery.count.',
    },
  ],
  validate: (config) => [
    ...checkInlineSettingsAbsent(config, { url: natsProperties.url }),
    ...checkNatsUrl(config.url),
    ...checkJetStreamConfig(config, true),
  ],
  async setup(config, ctx): Promise<ConsumeState> {
    const shared = config.connection
      ? sharedConnection<NatsConnectionService>(ctx, config.connection, 'nats-connection').connection
      : undefined;
    const nc = shared ?? (await connectNats(config.url, `sluice ${ctx.flowId}/${ctx.processorId}`));
    const state: ConsumeState = {
      nc,
      shared: shared !== undefined,
      uri: transitUri(nc, config.subject),
      buffer: [],
      closed: false,
      dropped: 0,
      backPressured: () => false,
      resume: () => {},
    };
    try {
      if (config.mode === 'core') {
        state.subscription = nc.subscribe(config.subject, {
          queue: config.queueGroup || undefined,
          callback: (err, m) => {
            if (err) return ctx.logger.warn({ processor: ctx.processorId, err: err.message }, 'subscription error');
            if (state.buffer.length >= config.maxBuffered) {
              if (state.dropped++ % 1000 === 0)
                ctx.logger.warn(
                  { processor: ctx.processorId, dropped: state.dropped },
                  'ConsumeNATS buffer full (flow backpressured); core NATS messages dropped',
                );
              return;
            }
            state.buffer.push(m);
            ctx.wake();
          },
        });
        await nc.flush();
      } else {
        const jsm = await nc.jetstreamManager();
        await ensureStream(jsm, config.stream, config.subject, config.createStream);
        await jsm.consumers.add(config.stream, {
          durable_name: config.durable,
          ack_policy: AckPolicy.Explicit,
          filter_subject: config.subject,
        });
        const consumer = await nc.jetstream().consumers.get(config.stream, config.durable);
        state.pulling = pullLoop(state, consumer, config.batchSize, ctx);
      }
    } catch (err) {
      if (state.shared) state.subscription?.unsubscribe();
      else await nc.close();
      throw err;
    }
    return state;
  },
  onTrigger(session, ctx) {
    const { state, config } = ctx;
    state.backPressured = ctx.isBackPressured;
    const batch = state.buffer.splice(0, config.batchSize);
    if (batch.length === 0) return;
    for (const m of batch) {
      const ff = session.create({ content: Buffer.from(m.data), attributes: attributesOf(m) });
      session.reportReceive(ff, state.uri);
      session.transfer(ff, 'success');
    }
    const acked = batch.filter(isJs);
    if (acked.length > 0) {
      session.afterCommit(async () => {
        for (const m of acked) m.ack();
        await state.nc.flush();
      });
      session.afterRollback(() => {
        for (const m of acked) m.nak();
      });
    }
    state.resume();
  },
  async teardown(state) {
    state.closed = true;
    state.resume();
    state.subscription?.unsubscribe();
    for (const m of state.buffer.splice(0)) if (isJs(m)) m.nak();
    await state.fetch?.close().catch(() => {});
    await state.pulling;
    // A shared connection is the service's: only the acks and naks above are flushed.
    if (state.shared) await state.nc.flush().catch(() => {});
    else await state.nc.drain().catch(() => state.nc.close());
  },
});
