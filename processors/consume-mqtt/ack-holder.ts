/**
 * Holds back the PUBACK (QoS 1) and PUBREC (QoS 2) that mqtt.js sends as soon as a message arrives, until
 * the session that received the message commits: at-least-once end to end. The broker's in-flight window
 * (MQTT 5 receive maximum) then bounds what it sends ahead, and a message whose ack never went out is
 * delivered again on the next connection of a durable session.
 *
 * mqtt.js has no public API for this (its `handleMessage` hook stalls the whole packet pipeline, pings
 * included, until called back), so this wraps the client's internal `_sendPacket`; the tests against a
 * real mosquitto pin the behaviour.
 */
import type { MqttClient } from 'mqtt';

type Send = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

export class AckHolder {
  /** Bumped on every disconnect: an ack held for an older connection must never be sent on a newer one. */
  generation = 0;
  private readonly held = new Map<number, { cmd: string; messageId?: number }>();
  private readonly send: Send;

  constructor(private readonly client: MqttClient) {
    const internal = client as unknown as { _sendPacket: Send };
    if (typeof internal._sendPacket !== 'function')
      throw new Error('this mqtt.js version has no _sendPacket: manual acknowledgement is not supported');
    this.send = internal._sendPacket.bind(client);
    internal._sendPacket = (packet, cb, ...rest) => {
      if ((packet.cmd === 'puback' || packet.cmd === 'pubrec') && packet.messageId !== undefined) {
        this.held.set(packet.messageId, packet);
        cb?.();
        return;
      }
      return this.send(packet, cb, ...rest);
    };
    client.on('close', () => {
      this.generation++;
      this.held.clear();
    });
  }

  /** Sends the ack of a committed message, if it belongs to the current connection. */
  release(messageId: number, generation: number): void {
    if (generation !== this.generation || !this.client.connected) return;
    // mqtt.js sends the ack synchronously while handling the PUBLISH, so it is always held by now.
    const packet = this.held.get(messageId);
    if (!packet) return;
    this.held.delete(messageId);
    this.send(packet);
  }

  get heldCount(): number {
    return this.held.size;
  }
}
