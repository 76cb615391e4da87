import type { IPublishPacket, MqttClient } from 'mqtt';
import { type Attributes, defineProcessor, serviceReference } from '../../sdk';
import type { MqttConnectionService, MqttSubscription } from '../../services/mqtt-connection/shared-mqtt';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import { consumerHeaderProperties, headersToAttributes } from '../message-headers';
import { Inbox } from '../message-inbox';
import {
  checkMqttConnection,
  connectMqtt,
  mqttConnectionProperties,
  redactedMqttUrl,
  resolveMqtt,
} from '../mqtt-connect';
import { AckHolder } from './ack-holder';

interface Received {
  topic: string;
  packet: IPublishPacket;
  generation: number;
}

interface State {
  /** This processor's own connection (inline settings). */
  client?: MqttClient;
  acks?: AckHolder;
  /** Its subscription on an MQTTConnection service's shared connection, when `connection` references one. */
  subscription?: MqttSubscription;
  /** The current connection's generation (acknowledgements go only on the connection that delivered). */
  generation: () => number;
  inbox: Inbox<Received>;
  uri: string;
  /** QoS 0 messages dropped because the inbox was full (QoS 0 has no flow control: at most once). */
  dropped: number;
  /** The client's packet pipeline, stalled while the inbox is full (see `handleMessage` below). */
  stalled?: () => void;
  /** Subscribed: from now on the pipeline may stall (before, a stall would hold back the SUBACK). */
  subscribed: boolean;
}

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    connection: serviceReference(
      'mqtt-connection',
      'The MQTTConnection service to use instead of the inline settings.',
    ),
    ...mqttConnectionProperties,
    topics: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      default: ['sluice/#'],
      description: "Topic filters to subscribe to; '+' matches one level, '#' the rest.",
    },
    qos: {
      type: 'integer',
      enum: [0, 1, 2],
      default: 1,
      description:
        'Subscription QoS. 1 and 2: acknowledged only after the session commits (at-least-once); 0: at most once.',
    },
    cleanSession: {
      type: 'boolean',
      default: false,
      description:
        'Off = a durable session: the broker keeps the subscription and queues QoS 1/2 messages while Sluice is away. Own connection only: a shared MQTTConnection has a clean session.',
    },
    sessionExpirySeconds: {
      type: 'integer',
      minimum: 0,
      default: 86400,
      description: 'MQTT 5: how long the broker keeps a durable session after a disconnect (own connection only).',
    },
    receiveMaximum: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 100,
      description:
        "Unacknowledged QoS 1/2 messages the broker may send ahead (MQTT 5 receive maximum; 3.1.1 uses the broker's in-flight limit); also the most QoS 0 messages held before dropping.",
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Messages per session.' },
    ...consumerHeaderProperties('mqtt.user.'),
  },
} as const;

function attributesOf(r: Received, headerPrefix: string): Attributes {
  const { packet } = r;
  const props = packet.properties ?? {};
  const out: Attributes = {
    'mqtt.topic': r.topic,
    'mqtt.qos': String(packet.qos),
    'mqtt.retained': String(packet.retain),
    'mqtt.duplicate': String(packet.dup),
    ...headersToAttributes(props.userProperties as Record<string, unknown> | undefined, headerPrefix),
  };
  if (props.contentType) out['mime.type'] = props.contentType;
  if (props.responseTopic) out['mqtt.response.topic'] = props.responseTopic;
  if (props.correlationData) out['mqtt.correlation.data'] = Buffer.from(props.correlationData).toString('utf8');
  return out;
}

export default defineProcessor({
  type: 'ConsumeMQTT',
  category: 'messaging',
  description:
    'Subscribes to MQTT topic filters, one FlowFile per message; QoS 1/2 messages are acknowledged only after the session that received them commits, and a durable session (clean session off) keeps them at the broker while Sluice is stopped.',
  input: 'forbidden',
  config,
  relationships: [{ name: 'success', description: 'Every received message.' }],
  validate: (cfg) => [
    ...checkInlineSettingsAbsent(cfg, {
      ...mqttConnectionProperties,
      cleanSession: config.properties.cleanSession,
      sessionExpirySeconds: config.properties.sessionExpirySeconds,
    }),
    ...checkMqttConnection(cfg),
  ],
  async setup(cfg, ctx) {
    if (cfg.connection) {
      const shared = sharedConnection<MqttConnectionService>(ctx, cfg.connection, 'mqtt-connection');
      const inbox = new Inbox<Received>(ctx.wake);
      const state: State = {
        inbox,
        dropped: 0,
        uri: shared.uri,
        subscribed: true,
        generation: () => shared.generation,
      };
      // No stalling here: the shared client's pipeline also carries the other processors' packets. The
      // broker's receive maximum (the service's) bounds the unacknowledged QoS 1/2 messages sent ahead.
      state.subscription = await shared.subscribe(cfg.topics, cfg.qos as 0 | 1 | 2, {
        onMessage: ({ topic, packet, generation }) => {
          if (packet.qos === 0 && inbox.size >= cfg.receiveMaximum) state.dropped++;
          else inbox.push({ topic, packet, generation });
        },
        onClose: () => {
          inbox.discard((r) => r.generation !== shared.generation);
        },
      });
      return state;
    }
    const v5 = cfg.protocolVersion === 5;
    const resolved = resolveMqtt(cfg, ctx, {
      clean: cfg.cleanSession,
      resubscribe: true,
      ...(v5
        ? {
            properties: {
              receiveMaximum: cfg.receiveMaximum,
              sessionExpiryInterval: cfg.cleanSession ? 0 : cfg.sessionExpirySeconds,
            },
          }
        : {}),
    });
    const inbox = new Inbox<Received>(ctx.wake);
    let acks!: AckHolder;
    const state = {
      inbox,
      dropped: 0,
      uri: redactedMqttUrl(resolved.url),
      subscribed: false,
      generation: () => acks.generation,
    } as State;
    const accept = (packet: IPublishPacket, topic: string) => {
      if (packet.qos === 0 && inbox.size >= cfg.receiveMaximum) {
        state.dropped++;
        return;
      }
      inbox.push({ topic, packet, generation: acks.generation });
    };
    const client = await connectMqtt(resolved, (c) => {
      acks = new AckHolder(c);
      // QoS 2 is taken at PUBLISH (its PUBREC is held); mqtt.js would emit it only after PUBREL.
      c.on('packetreceive', (packet) => {
        if (packet.cmd === 'publish' && packet.qos === 2) accept(packet, packet.topic);
      });
      c.on('message', (topic, _payload, packet) => {
        if (packet.qos !== 2) accept(packet, topic);
      });
      // The broker should stop at the receive maximum, but mosquitto 2.0.11 (Debian 12) sends its whole
      // queue once any ack arrives; so when the inbox is full the client stops reading (TCP pushes back)
      // until a session takes from it. A stall longer than 1.5 x keepalive ends in a reconnect, which
      // loses nothing: unacknowledged messages come again.
      c.handleMessage = (packet, callback) => {
        if (state.subscribed && packet.qos > 0 && inbox.size >= cfg.receiveMaximum) state.stalled = callback;
        else callback();
      };
      c.on('close', () => {
        state.stalled = undefined;
        // Unacknowledged messages of a lost connection come again on the next one (durable session).
        inbox.discard((r) => r.generation !== acks.generation);
      });
      c.on('error', (err) => ctx.logger.warn({ url: state.uri, err: err.message }, 'MQTT client error'));
    });
    state.client = client;
    state.acks = acks;
    try {
      const grants = await client.subscribeAsync(
        Object.fromEntries(cfg.topics.map((t) => [t, { qos: cfg.qos as 0 | 1 | 2 }])),
      );
      const refused = grants.filter((g) => g.qos === 128 || g.qos > 2);
      if (refused.length > 0) throw new Error(`subscription refused for ${refused.map((g) => g.topic).join(', ')}`);
      state.subscribed = true;
    } catch (err) {
      client.end(true);
      throw new Error(`${state.uri}: ${(err as Error).message}`);
    }
    return state;
  },
  async onTrigger(session, { state, config: cfg, logger }) {
    if (state.dropped > 0) {
      logger.warn(
        { url: state.uri, dropped: state.dropped },
        'QoS 0 messages dropped while the outgoing connection was full',
      );
      state.dropped = 0;
    }
    const batch = state.inbox.take(cfg.batchSize);
    if (state.stalled && state.inbox.size < cfg.receiveMaximum) {
      const resume = state.stalled;
      state.stalled = undefined;
      resume();
    }
    if (batch.length === 0) return;
    for (const r of batch) {
      const ff = session.create({ content: r.packet.payload as Buffer, attributes: attributesOf(r, cfg.headerPrefix) });
      session.reportReceive(ff, `${state.uri}/${r.topic}`);
      session.transfer(ff, 'success');
    }
    session.afterCommit(() => {
      for (const r of batch) {
        if (r.packet.qos === 0 || r.packet.messageId === undefined) continue;
        if (state.subscription) state.subscription.release(r);
        else state.acks?.release(r.packet.messageId, r.generation);
      }
    });
    session.afterRollback(() => {
      state.inbox.putBack(batch.filter((r) => r.generation === state.generation()));
    });
  },
  async teardown(state) {
    // A shared connection is the service's: only this processor's subscription ends (what it received and
    // never committed is acknowledged: a clean session would not deliver it again).
    await state.subscription?.unsubscribe();
    // Held acks are not sent: the broker delivers those messages again to the durable session.
    const client = state.client;
    await client?.endAsync().catch(() => client.end(true));
  },
});
