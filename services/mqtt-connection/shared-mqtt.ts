/**
 * One mqtt.js client shared by every ConsumeMQTT and PublishMQTT that references an MQTTConnection service.
 *
 * mqtt.js delivers every message of a client to one global 'message' event: the subscriptions here dispatch
 * each to the subscribers of the filter it came for. The client subscribes a filter once, with the highest QoS
 * its subscribers asked for, and unsubscribes it when its last subscriber leaves. With MQTT 5 each filter has
 * a subscription identifier, which the broker puts on every message it sends for it: a message matching the
 * filters of two consumers arrives once per filter (as it would on their own connections), and each copy goes
 * to that filter's subscribers. MQTT 3.1.1 has no identifiers: a message goes to every subscriber with a
 * filter that matches its topic (`+`, `#`, `$share/...`), so overlapping filters of different consumers each
 * get every copy the broker sends.
 *
 * Acknowledgements work as with a consumer's own connection: the PUBACK / PUBREC of a QoS 1/2 message is held
 * (see processors/consume-mqtt/ack-holder.ts) until every subscriber it was dispatched to released it (its
 * session committed). The session is clean: what the broker holds for a disconnected client is not kept,
 * so a consumer that needs a durable session (messages kept while Sluice is away) uses its own connection.
 */
import type { IClientPublishOptions, IPublishPacket, MqttClient } from 'mqtt';
import { AckHolder } from '../../processors/consume-mqtt/ack-holder';
import { connectMqtt, type ResolvedMqtt, redactedMqttUrl } from '../../processors/mqtt-connect';
import type { ProcessorLogger } from '../../sdk';
import { topicMatches } from './topic-filter';

export type QoS = 0 | 1 | 2;

export interface MqttDelivery {
  topic: string;
  packet: IPublishPacket;
  /** The connection it came on: an acknowledgement is sent only on that connection. */
  generation: number;
}

export interface MqttSubscriber {
  onMessage(delivery: MqttDelivery): void;
  /** The connection closed: deliveries of older generations will never be acknowledged (nor need to be). */
  onClose?(): void;
}

export interface MqttSubscription {
  /** The subscriber's session committed this delivery: its acknowledgement may go (once all its subscribers did). */
  release(delivery: MqttDelivery): void;
  /** Stops the dispatch; the filters no other subscriber uses are unsubscribed at the broker. */
  unsubscribe(): Promise<void>;
}

export interface MqttConnectionService {
  /** The broker without credentials (mqtt://host:port), for transit URIs and messages. */
  readonly uri: string;
  readonly protocolVersion: 4 | 5;
  readonly connected: boolean;
  /** The current connection's generation (bumped at every disconnect). */
  readonly generation: number;
  /** Publishes on the shared client (resolves once acknowledged, for QoS 1/2). */
  publish(topic: string, payload: Buffer | string, options: IClientPublishOptions): Promise<void>;
  /** Adds a subscriber for these filters at this QoS; refused filters reject (and leave nothing behind). */
  subscribe(filters: readonly string[], qos: QoS, subscriber: MqttSubscriber): Promise<MqttSubscription>;
}

interface Entry {
  filters: readonly string[];
  qos: QoS;
  subscriber: MqttSubscriber;
  /** Deliveries (by message id) of the current generation this subscriber has not released yet. */
  unreleased: Set<number>;
}

export class SharedMqttConnection implements MqttConnectionService {
  readonly uri: string;
  readonly protocolVersion: 4 | 5;
  private client?: MqttClient;
  private acks?: AckHolder;
  private readonly entries = new Set<Entry>();
  /** QoS granted per filter subscribed at the broker. */
  private readonly granted = new Map<string, QoS>();
  /** MQTT 5 subscription identifier per filter (stable for the connection's life, reconnects included). */
  private readonly ids = new Map<string, number>();
  /** Subscribers a QoS 1/2 delivery still waits for, by message id. */
  private readonly pending = new Map<number, number>();

  constructor(
    private readonly resolved: ResolvedMqtt,
    private readonly logger: ProcessorLogger,
  ) {
    this.uri = redactedMqttUrl(resolved.url);
    this.protocolVersion = resolved.options.protocolVersion === 4 ? 4 : 5;
  }

  async open(): Promise<void> {
    this.client = await connectMqtt(this.resolved, (c) => {
      this.acks = new AckHolder(c);
      // QoS 2 is taken at PUBLISH (its PUBREC is held); mqtt.js would emit it only after PUBREL.
      c.on('packetreceive', (packet) => {
        if (packet.cmd === 'publish' && packet.qos === 2) this.dispatch(packet.topic, packet);
      });
      c.on('message', (topic, _payload, packet) => {
        if (packet.qos !== 2) this.dispatch(topic, packet);
      });
      c.on('close', () => {
        // The AckHolder dropped its held acks (a new generation): nothing of the old one is pending.
        this.pending.clear();
        for (const entry of this.entries) {
          entry.unreleased.clear();
          entry.subscriber.onClose?.();
        }
      });
      c.on('error', (err) => this.logger.warn({ url: this.uri, err: err.message }, 'MQTT client error'));
    });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get generation(): number {
    return this.acks?.generation ?? 0;
  }

  async publish(topic: string, payload: Buffer | string, options: IClientPublishOptions): Promise<void> {
    await this.live().publishAsync(topic, payload, options);
  }

  async subscribe(filters: readonly string[], qos: QoS, subscriber: MqttSubscriber): Promise<MqttSubscription> {
    const client = this.live();
    // Registered first: a retained message arrives right after the SUBACK.
    const entry: Entry = { filters: [...filters], qos, subscriber, unreleased: new Set() };
    this.entries.add(entry);
    const wanted = Object.fromEntries(
      entry.filters
        .map((f) => [f, this.qosFor(f)] as const)
        .filter(([f, q]) => (this.granted.get(f) ?? -1) < q)
        .map(([f, q]) => [f, { qos: q }]),
    );
    if (Object.keys(wanted).length > 0) {
      try {
        const grants =
          this.protocolVersion === 5
            ? // One SUBSCRIBE per filter: the identifier is a property of the packet.
              (
                await Promise.all(
                  Object.entries(wanted).map(([f, o]) =>
                    client.subscribeAsync({ [f]: o }, { properties: { subscriptionIdentifier: this.idOf(f) } }),
                  ),
                )
              ).flat()
            : await client.subscribeAsync(wanted);
        const refused = grants.filter((g) => g.qos === 128 || g.qos > 2);
        if (refused.length > 0) throw new Error(`subscription refused for ${refused.map((g) => g.topic).join(', ')}`);
        for (const g of grants) this.granted.set(g.topic, g.qos as QoS);
      } catch (err) {
        await this.remove(entry);
        throw new Error(`${this.uri}: ${(err as Error).message}`);
      }
    }
    return {
      release: (delivery) => {
        if (delivery.packet.messageId === undefined || !entry.unreleased.delete(delivery.packet.messageId)) return;
        this.released(delivery.packet.messageId, delivery.generation);
      },
      unsubscribe: () => this.remove(entry),
    };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.entries.clear();
    await client?.endAsync().catch(() => client.end(true));
  }

  private live(): MqttClient {
    if (!this.client) throw new Error(`the connection to ${this.uri} is disabled`);
    return this.client;
  }

  private qosFor(filter: string): QoS {
    let qos = 0;
    for (const e of this.entries) if (e.filters.includes(filter)) qos = Math.max(qos, e.qos);
    return qos as QoS;
  }

  private idOf(filter: string): number {
    let id = this.ids.get(filter);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(filter, id);
    }
    return id;
  }

  /** The subscribers a message is for: those of the filters its subscription identifiers name, else by topic. */
  private targetsOf(topic: string, packet: IPublishPacket): Entry[] {
    const named = packet.properties?.subscriptionIdentifier;
    if (this.protocolVersion === 5 && named !== undefined) {
      const ids = new Set(Array.isArray(named) ? named : [named]);
      return [...this.entries].filter((e) => e.filters.some((f) => ids.has(this.ids.get(f) ?? -1)));
    }
    return [...this.entries].filter((e) => e.filters.some((f) => topicMatches(f, topic)));
  }

  private dispatch(topic: string, packet: IPublishPacket): void {
    const generation = this.generation;
    const targets = this.targetsOf(topic, packet);
    const id = packet.qos > 0 ? packet.messageId : undefined;
    if (id !== undefined) {
      // Matched no one (its subscriber just left): acknowledged at once, or it would hold an in-flight slot.
      if (targets.length === 0) {
        this.acks?.release(id, generation);
        return;
      }
      this.pending.set(id, targets.length);
      for (const e of targets) e.unreleased.add(id);
    }
    for (const e of targets) e.subscriber.onMessage({ topic, packet, generation });
  }

  private released(messageId: number, generation: number): void {
    if (generation !== this.generation) return;
    const waiting = (this.pending.get(messageId) ?? 1) - 1;
    if (waiting > 0) {
      this.pending.set(messageId, waiting);
      return;
    }
    this.pending.delete(messageId);
    this.acks?.release(messageId, generation);
  }

  private async remove(entry: Entry): Promise<void> {
    if (!this.entries.delete(entry)) return;
    // What it received and never committed is acknowledged now: on a clean session the broker would not
    // deliver it again anyway, and an unacknowledged message holds one of the connection's in-flight slots.
    for (const id of entry.unreleased) this.released(id, this.generation);
    entry.unreleased.clear();
    const unused = entry.filters.filter((f) => this.granted.has(f) && !this.qosInUse(f));
    for (const f of unused) this.granted.delete(f);
    if (unused.length > 0 && this.client?.connected)
      await this.client
        .unsubscribeAsync(unused)
        .catch((err: Error) => this.logger.warn({ url: this.uri, err: err.message }, 'MQTT unsubscribe failed'));
  }

  private qosInUse(filter: string): boolean {
    for (const e of this.entries) if (e.filters.includes(filter)) return true;
    return false;
  }
}
