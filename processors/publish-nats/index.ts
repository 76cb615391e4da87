import type { JetStreamClient, NatsConnection } from 'nats';
import { defineProcessor, duration, failWith, serviceReference } from '../../sdk';
import type { NatsConnectionService } from '../../services/nats-connection';
import { checkRegexes, compileRegex } from '../bounded/regex';
import { checkInlineSettingsAbsent, sharedConnection } from '../connection-settings';
import {
  attributesToHeaders,
  checkJetStreamConfig,
  checkNatsUrl,
  connectNats,
  ensureStream,
  natsProperties,
  transitUri,
} from '../nats';

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface PublishState {
  nc: NatsConnection;
  /** `nc` is a NATSConnection service's: never drained or closed here. */
  shared: boolean;
  js?: JetStreamClient;
  headerMatch?: RegExp;
  timeoutMs: number;
  uri: string;
}

export default defineProcessor({
  type: 'PublishNATS',
  category: 'sink',
  description:
    "Publishes each FlowFile's content to a NATS subject, attributes as headers: core NATS (flushed per batch) or JetStream (each publish acknowledged by the stream, deduplicated by FlowFile id).",
  input: 'required',
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
        pattern: '^[^\\s*>]+$',
        default: 'sluice.out',
        description: 'Subject to publish to (no wildcards).',
      },
      headerAttributes: {
        type: 'string',
        default: '.*',
        description:
          'Regular expression: attributes whose names match are sent as headers ("" = none). Names with spaces or ":" and values with line breaks are left out.',
      },
      ackTimeout: duration(
        'How long to wait for the stream to acknowledge a message (jetstream) or the server to confirm a batch (core).',
        '5s',
      ),
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    {
      name: 'success',
      description: 'Published (jetstream: stored by the stream; nats.stream and nats.sequence are set).',
    },
    {
      name: 'failure',
      description:
        'The publish was refused or not acknowledged (no stream, too large, timeout); the reason is in "nats.error".',
    },
  ],
  validate: (config) => [
    ...checkInlineSettingsAbsent(config, { url: natsProperties.url }),
    ...checkNatsUrl(config.url),
    ...checkJetStreamConfig(config, false),
    ...(config.headerAttributes ? checkRegexes([['/headerAttributes', config.headerAttributes]]) : []),
  ],
  async setup(config, ctx): Promise<PublishState> {
    const shared = config.connection
      ? sharedConnection<NatsConnectionService>(ctx, config.connection, 'nats-connection').connection
      : undefined;
    const nc = shared ?? (await connectNats(config.url, `sluice ${ctx.flowId}/${ctx.processorId}`));
    try {
      let js: JetStreamClient | undefined;
      if (config.mode === 'jetstream') {
        await ensureStream(await nc.jetstreamManager(), config.stream, config.subject, config.createStream);
        js = nc.jetstream();
      }
      return {
        nc,
        shared: shared !== undefined,
        js,
        headerMatch: config.headerAttributes ? compileRegex(config.headerAttributes) : undefined,
        timeoutMs: config.ackTimeout,
        uri: transitUri(nc, config.subject),
      };
    } catch (err) {
      if (!shared) await nc.close();
      throw err;
    }
  },
  async onTrigger(session, { config, state }) {
    const ffs = await session.get(config.batchSize);
    if (ffs.length === 0) return;
    const prepared = ffs.map((ff) => ({ ff, ...attributesToHeaders(ff.attributes, state.headerMatch) }));
    if (!state.js) {
      for (const p of prepared) state.nc.publish(config.subject, p.ff.content, { headers: p.headers });
      // Core NATS has no acknowledgement: a flush at least proves the server received the batch. If it
      // fails (connection lost) the session rolls back and the FlowFiles are retried later.
      await withTimeout(state.nc.flush(), state.timeoutMs, 'NATS did not confirm the publish (flush)');
      for (const p of prepared) {
        session.reportSend(p.ff, state.uri);
        session.transfer(p.ff, 'success');
      }
      return;
    }
    const js = state.js;
    const results = await Promise.allSettled(
      prepared.map((p) =>
        js.publish(config.subject, p.ff.content, {
          headers: p.headers,
          msgID: p.ff.id,
          timeout: state.timeoutMs,
          expect: { streamName: config.stream },
        }),
      ),
    );
    prepared.forEach((p, i) => {
      const r = results[i]!;
      if (r.status === 'rejected') {
        failWith(session, p.ff, 'nats.error', r.reason);
        return;
      }
      session.reportSend(p.ff, state.uri, r.value.duplicate ? 'duplicate: already in the stream' : undefined);
      const attributes = { 'nats.stream': r.value.stream, 'nats.sequence': String(r.value.seq) };
      session.transfer(session.putAttributes(p.ff, attributes), 'success');
    });
  },
  async teardown(state) {
    // A shared connection is the service's: what this processor published is flushed, the connection stays.
    if (state.shared) await state.nc.flush().catch(() => {});
    else await state.nc.drain().catch(() => state.nc.close());
  },
});
