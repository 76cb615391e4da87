import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { defineProcessor, duration, type FlowFile, failWith, formatDuration, serviceReference } from '../../sdk';
import type { MqttConnectionService } from '../../services/mqtt-connection/shared-mqtt';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import { type CompiledExpression, checkExpressions, compileExpression, toAttributeValue } from '../expressions';
import { attributesToHeaders, checkHeaderPattern, compileHeaderPattern, headerProperties } from '../message-headers';
import {
  checkMqttConnection,
  connectMqtt,
  mqttConnectionProperties,
  redactedMqttUrl,
  resolveMqtt,
} from '../mqtt-connect';

const config = {
  type: 'object',
  additionalProperties: false,
  properties: {
    connection: serviceReference(
      'mqtt-connection',
      'The MQTTConnection service to use instead of the inline settings.',
    ),
    ...mqttConnectionProperties,
    topic: { type: 'string', default: 'sluice', description: 'Topic to publish to (no wildcards).' },
    topicExpression: {
      type: 'string',
      default: '',
      description: 'JSONata over {attributes, content} giving the topic per FlowFile; overrides topic when set.',
    },
    qos: {
      type: 'integer',
      enum: [0, 1, 2],
      default: 1,
      description: 'QoS 1/2: success only once the broker acknowledged (PUBACK / PUBCOMP); 0: fire and forget.',
    },
    retain: { type: 'boolean', default: false, description: 'Publish as the retained message of the topic.' },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    publishTimeout: duration(
      'How long to wait for the broker to acknowledge a batch before the session rolls back and retries.',
      '30s',
    ),
    ...headerProperties('mqtt.user.'),
  },
} as const;

interface State {
  /** This processor's own client, or the MQTTConnection service's (never ended here). */
  client: Pick<MqttClient, 'connected' | 'publishAsync'>;
  own?: MqttClient;
  v5: boolean;
  uri: string;
  topic?: CompiledExpression;
  headerPattern?: RegExp;
  timeoutMs: number;
}

const WILDCARD = /[#+]/;

export default defineProcessor({
  type: 'PublishMQTT',
  category: 'messaging',
  description:
    'Publishes each FlowFile to an MQTT topic (QoS 0/1/2, retained or not); with QoS 1/2 it goes to success only once the broker acknowledged it, to failure when the broker refuses it (MQTT 5 reason code) or the topic is invalid.',
  input: 'required',
  config,
  relationships: [
    { name: 'success', description: 'Published (and acknowledged, for QoS 1/2).' },
    { name: 'failure', description: 'Refused by the broker or an invalid topic; "mqtt.error" says why.' },
  ],
  validate(cfg) {
    const issues = [
      ...checkInlineSettingsAbsent(cfg, mqttConnectionProperties),
      ...checkMqttConnection(cfg),
      ...checkHeaderPattern('/headerAttributes', cfg.headerAttributes),
    ];
    if (cfg.topicExpression !== '') issues.push(...checkExpressions([['/topicExpression', cfg.topicExpression]]));
    else if (cfg.topic === '') issues.push({ path: '/topic', message: 'set a topic or a topicExpression' });
    else if (WILDCARD.test(cfg.topic))
      issues.push({ path: '/topic', message: "a publish topic cannot contain '+' or '#'" });
    return issues;
  },
  async setup(cfg, ctx): Promise<State> {
    const common = {
      topic: cfg.topicExpression !== '' ? compileExpression(cfg.topicExpression) : undefined,
      headerPattern: compileHeaderPattern(cfg.headerAttributes),
      timeoutMs: cfg.publishTimeout,
    };
    if (cfg.connection) {
      const shared = sharedConnection<MqttConnectionService>(ctx, cfg.connection, 'mqtt-connection');
      const client = {
        get connected() {
          return shared.connected;
        },
        publishAsync: (topic: string, payload: Buffer | string, options?: IClientPublishOptions) =>
          shared.publish(topic, payload, options ?? {}).then(() => undefined),
      } as State['client'];
      return { client, v5: shared.protocolVersion === 5, uri: shared.uri, ...common } satisfies State;
    }
    const resolved = resolveMqtt(cfg, ctx, { clean: true });
    const uri = redactedMqttUrl(resolved.url);
    const client = await connectMqtt(resolved, (c) =>
      c.on('error', (err) => ctx.logger.warn({ url: uri, err: err.message }, 'MQTT client error')),
    );
    return { client, own: client, v5: cfg.protocolVersion === 5, uri, ...common } satisfies State;
  },
  async onTrigger(session, { state, config: cfg }) {
    const batch = await session.get(cfg.batchSize);
    if (batch.length === 0) return;
    const v5 = state.v5;
    const publish = async (ff: FlowFile): Promise<{ topic: string; error?: string }> => {
      const topic = state.topic ? (toAttributeValue(await state.topic.evaluate(ff)) ?? '') : cfg.topic;
      if (topic === '' || WILDCARD.test(topic)) return { topic, error: `invalid topic "${topic}"` };
      const options: IClientPublishOptions = { qos: cfg.qos as 0 | 1 | 2, retain: cfg.retain };
      if (v5) {
        const userProperties = attributesToHeaders(ff.attributes, cfg.headerPrefix, state.headerPattern);
        options.properties = {
          ...(Object.keys(userProperties).length > 0 ? { userProperties } : {}),
          ...(ff.attributes['mime.type'] ? { contentType: ff.attributes['mime.type'] } : {}),
        };
      }
      try {
        await state.client.publishAsync(topic, ff.content, options);
        return { topic };
      } catch (err) {
        const e = err as Error & { code?: number };
        // A reason code from the broker is its verdict on this message; anything else (connection) is a retry.
        if (typeof e.code === 'number') return { topic, error: e.message };
        throw err;
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no acknowledgement from ${state.uri} within ${formatDuration(cfg.publishTimeout)}`)),
        state.timeoutMs,
      );
    });
    if (!state.client.connected) throw new Error(`not connected to ${state.uri} (reconnecting)`);
    let results: { topic: string; error?: string }[];
    try {
      results = await Promise.race([Promise.all(batch.map(publish)), timeout]);
    } finally {
      clearTimeout(timer);
    }
    for (let i = 0; i < batch.length; i++) {
      const ff = batch[i]!;
      const r = results[i]!;
      if (r.error === undefined) {
        session.reportSend(ff, `${state.uri}/${r.topic}`);
        session.transfer(ff, 'success');
      } else failWith(session, ff, 'mqtt.error', r.error);
    }
  },
  async teardown(state) {
    // A shared client is the service's: it stays connected.
    const own = state.own;
    await own?.endAsync().catch(() => own.end(true));
  },
});
