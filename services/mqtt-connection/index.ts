/**
 * MQTTConnection: one MQTT client shared by the ConsumeMQTT and PublishMQTT processors that reference it; the
 * consumers' subscriptions are multiplexed on it by topic filter.
 */
import {
  checkMqttConnection,
  type MqttConnectionConfig,
  mqttConnectionProperties,
  resolveMqtt,
} from '../../processors/mqtt-connect';
import { defineService } from '../../sdk';
import { type MqttConnectionService, SharedMqttConnection } from './shared-mqtt';

export type { MqttConnectionService, MqttDelivery, MqttSubscriber, MqttSubscription } from './shared-mqtt';

export const MQTT_CONNECTION = 'mqtt-connection';

const { clientId, ...connection } = mqttConnectionProperties;

export default defineService({
  type: 'MQTTConnection',
  description:
    'One connection to an MQTT broker (a clean session), shared by every ConsumeMQTT and PublishMQTT that references it: the consumers subscribe through it and each receives the messages of its own topic filters. A consumer that needs a durable session keeps its own connection.',
  provides: [MQTT_CONNECTION],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...connection,
      clientId: {
        ...clientId,
        description: 'MQTT client id; empty = "sluice-<flow>-<service>".',
      },
      receiveMaximum: {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        default: 100,
        description:
          'MQTT 5: unacknowledged QoS 1/2 messages the broker may send ahead on this connection, for all its consumers together (a message is acknowledged once the session that received it commits).',
      },
    },
  },
  validate: (config) => checkMqttConnection(config as MqttConnectionConfig),
  async enable(config, ctx): Promise<MqttConnectionService> {
    const resolved = resolveMqtt(
      config as MqttConnectionConfig,
      { flowId: ctx.flowId, processorId: ctx.serviceId },
      {
        clean: true,
        resubscribe: true,
        ...(config.protocolVersion === 5 ? { properties: { receiveMaximum: config.receiveMaximum } } : {}),
      },
    );
    const shared = new SharedMqttConnection(resolved, ctx.logger);
    await shared.open();
    return shared;
  },
  async disable(instance) {
    await (instance as SharedMqttConnection).close();
  },
});
