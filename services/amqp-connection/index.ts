/**
 * AMQPConnection: one RabbitMQ (AMQP 0-9-1) connection shared by the ConsumeAMQP and PublishAMQP processors
 * that reference it; each of them works on its own channel.
 */
import {
  type AmqpConnectionConfig,
  amqpConnectionProperties,
  checkAmqpConnection,
  resolveAmqpUrl,
} from '../../processors/amqp-connect';
import { defineService } from '../../sdk';
import { type AmqpConnectionService, SharedAmqpConnection } from './shared-amqp';

export type { AmqpConnectionService } from './shared-amqp';

export const AMQP_CONNECTION = 'amqp-connection';

export default defineService({
  type: 'AMQPConnection',
  description:
    'One connection to a RabbitMQ (AMQP 0-9-1) broker, shared by every ConsumeAMQP and PublishAMQP that references it; each processor opens its own channel on it.',
  provides: [AMQP_CONNECTION],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: amqpConnectionProperties,
  },
  validate: (config) => checkAmqpConnection(config as AmqpConnectionConfig),
  async enable(config, ctx): Promise<AmqpConnectionService> {
    const shared = new SharedAmqpConnection(
      resolveAmqpUrl(config as AmqpConnectionConfig),
      `sluice ${ctx.flowId}/service ${ctx.serviceId}`,
      ctx.logger,
    );
    await shared.open();
    return shared;
  },
  async disable(instance) {
    await (instance as SharedAmqpConnection).close();
  },
});
