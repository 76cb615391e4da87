/** Connection services for the message brokers (AMQP, MQTT, NATS, Kafka): one connection shared by many processors. */
import type { ServiceDefinition } from '../sdk';
import AMQPConnection from './amqp-connection';
import KafkaConnection from './kafka-connection';
import MQTTConnection from './mqtt-connection';
import NATSConnection from './nats-connection';

export const brokerServices: readonly ServiceDefinition[] = [
  AMQPConnection as ServiceDefinition,
  MQTTConnection as ServiceDefinition,
  NATSConnection as ServiceDefinition,
  KafkaConnection as ServiceDefinition,
];
