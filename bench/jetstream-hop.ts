/**
 * Benchmark scenario 5: the raw JetStream limit on this machine, with the client Sluice uses (`nats` npm), so
 * the engine's cost per NATS hop is a ratio, not a guess. 100-byte messages, file storage, one local
 * nats-server. Measures, each over `count` messages:
 * - publish: stock `js.publish` (awaited, a window of 1,000 in flight) vs a lean acked publish (core publish
 *   with a reply subject under one inbox subscription, acks matched by id);
 * - consume + ack: a durable pull consumer, each message acknowledged;
 * - hop: consume from subject A, publish to B, ack A once B's publish is acknowledged — stock and lean.
 * `node --import tsx bench/jetstream-hop.ts [count]` prints one JSON line (messages/s, client and server CPU).
 */
import { readFileSync } from 'node:fs';
import {
  AckPolicy,
  connect,
  createInbox,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { startNats } from '../test/helpers/nats-server';

const count = Number(process.argv[2] ?? 100_000);
const WINDOW = 1000;
const STREAM = 'BENCH_HOP';
const payload = new Uint8Array(100).fill(120);

/** CPU seconds a process has used, from /proc (Linux). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Figure {
  perSecond: number;
  clientCpu: number;
  serverCpu: number;
}

async function measure(serverPid: number, n: number, work: () => Promise<void>): Promise<Figure> {
  const cpu0 = process.cpuUsage();
  const server0 = cpuOf(serverPid);
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    perSecond: Math.round(n / seconds),
    clientCpu: round((cpu.user + cpu.system) / 1e6 / seconds),
    serverCpu: round((cpuOf(serverPid) - server0) / seconds),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** A bounded window of publishes in flight: `add` waits while the window is full. */
class Window {
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  async add(p: Promise<unknown>): Promise<void> {
    while (this.inFlight >= WINDOW) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    p.finally(() => {
      this.inFlight--;
      this.waiting.shift()?.();
    });
  }
  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((r) => this.waiting.push(r));
  }
}

/**
 * An acked publish without the stock per-request machinery: one wildcard subscription on an inbox receives
 * every PubAck, matched to its publish by the id at the end of the reply subject.
 */
class LeanPublisher {
  private readonly inbox = createInbox();
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private next = 0;
  constructor(private readonly nc: NatsConnection) {
    nc.subscribe(`${this.inbox}.*`, {
      callback: (_err, msg) => {
        const id = Number(msg.subject.slice(this.inbox.length + 1));
        const p = this.pending.get(id);
        if (!p) return;
        this.pending.delete(id);
        // A PubAck is {"stream":..,"seq":..}; a refusal carries "error".
        if (msg.data.length > 9 && msg.data[2] === 101 /* e */) p.reject(new Error(new TextDecoder().decode(msg.data)));
        else p.resolve();
      },
    });
  }
  publish(subject: string, data: Uint8Array): Promise<void> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.nc.publish(subject, data, { reply: `${this.inbox}.${id}` });
    });
  }
}

async function fill(publisher: LeanPublisher, subject: string, n: number): Promise<void> {
  const w = new Window();
  for (let i = 0; i < n; i++) await w.add(publisher.publish(subject, payload));
  await w.drain();
}

let consumers = 0;

/**
 * Consumes `n` messages from subject A with a durable pull consumer of its own, handing each to `handle`,
 * then waits for `settle` (the acks still in flight) and deletes the consumer, so its outstanding pull
 * requests cannot swallow the next phase's messages.
 */
async function consume(
  js: JetStreamClient,
  jsm: JetStreamManager,
  n: number,
  handle: (m: JsMsg) => Promise<void> | void,
  settle: () => Promise<void> = async () => {},
): Promise<void> {
  const name = `hop_a_${++consumers}`;
  await jsm.consumers.add(STREAM, {
    durable_name: name,
    filter_subject: 'bench.hop.a',
    ack_policy: AckPolicy.Explicit,
    max_ack_pending: 20_000,
  });
  const consumer = await js.consumers.get(STREAM, name);
  const messages = await consumer.consume({ max_messages: 2000 });
  let seen = 0;
  for await (const m of messages) {
    await handle(m);
    if (++seen >= n) break;
  }
  await settle();
  // Acks are fire-and-forget: a round trip makes sure the server has them before the consumer goes.
  await nc.flush();
  await jsm.consumers.delete(STREAM, name);
}

const server = await startNats();
const nc: NatsConnection = await connect({ servers: server.url });
try {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({
    name: STREAM,
    subjects: ['bench.hop.a', 'bench.hop.b'],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
  });
  const js = nc.jetstream();
  const lean = new LeanPublisher(nc);
  const pid = server.pid;
  const purgeB = () => jsm.streams.purge(STREAM, { filter: 'bench.hop.b' });

  const publishStock = await measure(pid, count, async () => {
    const w = new Window();
    for (let i = 0; i < count; i++) await w.add(js.publish('bench.hop.a', payload));
    await w.drain();
  });
  const consumeAck = await measure(pid, count, () => consume(js, jsm, count, (m) => m.ack()));
  const publishLean = await measure(pid, count, () => fill(lean, 'bench.hop.a', count));
  const hopStock = await measure(pid, count, async () => {
    const w = new Window();
    await consume(
      js,
      jsm,
      count,
      (m) => w.add(js.publish('bench.hop.b', m.data).then(() => m.ack())),
      () => w.drain(),
    );
  });
  await purgeB();
  await fill(lean, 'bench.hop.a', count);
  const hopLean = await measure(pid, count, async () => {
    const w = new Window();
    await consume(
      js,
      jsm,
      count,
      (m) => w.add(lean.publish('bench.hop.b', m.data).then(() => m.ack())),
      () => w.drain(),
    );
  });

  process.stdout.write(
    `${JSON.stringify({
      scenario: 'jetstream-hop',
      messages: count,
      messageBytes: payload.length,
      window: WINDOW,
      publishStock,
      publishLean,
      consumeAck,
      hopStock,
      hopLean,
      note: 'perSecond = messages/s; clientCpu/serverCpu = CPU seconds per second (1 = one full core)',
    })}\n`,
  );
} finally {
  await nc.close();
  await server.stop();
}
