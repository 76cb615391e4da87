/**
 * One amqplib connection shared by every processor that references an AMQPConnection service: each processor
 * opens its own channel on it (delivery tags, prefetch and confirms are per channel) and closes only that.
 *
 * Reconnecting works as it does for the connectors' own connections: nothing retries in the background; the
 * next `channel()` after the connection was lost opens a new one (concurrent callers share that attempt), and
 * the processors already reopen their channel, with their own backoff, when it closes.
 */
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { connectAmqp, redactedUrl, vhostOf } from '../../processors/amqp-connect';
import type { ProcessorLogger } from '../../sdk';

export interface AmqpConnectionService {
  /** A fresh channel on the shared connection (reconnecting first if it was lost); the caller closes it. */
  channel(): Promise<Channel>;
  /** The same with publisher confirms. */
  confirmChannel(): Promise<ConfirmChannel>;
  /** The broker's address without credentials (amqp://host:port/vhost), for transit URIs and messages. */
  readonly address: URL;
  /** The virtual host ("/" when the URL names none). */
  readonly vhost: string;
}

export class SharedAmqpConnection implements AmqpConnectionService {
  readonly address: URL;
  readonly vhost: string;
  private model?: ChannelModel;
  private opening?: Promise<ChannelModel>;
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly name: string,
    private readonly logger: ProcessorLogger,
  ) {
    this.address = new URL(redactedUrl(url));
    this.vhost = vhostOf(url);
  }

  /** Opens the connection (enable): a broker that cannot be reached fails here, naming it without credentials. */
  async open(): Promise<void> {
    await this.connection();
  }

  async channel(): Promise<Channel> {
    return (await this.connection()).createChannel();
  }

  async confirmChannel(): Promise<ConfirmChannel> {
    return (await this.connection()).createConfirmChannel();
  }

  async close(): Promise<void> {
    this.closed = true;
    const model = this.model ?? (await this.opening?.catch(() => undefined));
    this.model = undefined;
    await model?.close().catch(() => {});
  }

  private connection(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new Error(`the connection to ${redactedUrl(this.url)} is disabled`));
    if (this.model) return Promise.resolve(this.model);
    this.opening ??= connectAmqp(this.url, this.name)
      .then((model) => {
        const lost = (why: string) => {
          if (this.model !== model) return;
          this.model = undefined;
          if (!this.closed)
            this.logger.warn({ url: redactedUrl(this.url) }, `AMQP connection lost: ${why}; reopened on next use`);
        };
        model.on('error', (err: Error) => lost(err.message));
        model.on('close', () => lost('connection closed'));
        this.model = model;
        if (this.closed) {
          this.model = undefined;
          model.close().catch(() => {});
          throw new Error(`the connection to ${redactedUrl(this.url)} is disabled`);
        }
        return model;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }
}
