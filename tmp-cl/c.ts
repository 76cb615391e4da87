import { AckPolicy, connect, RetentionPolicy, StorageType } from 'nats';
import { startNats } from '../test/helpers/nats-server';
const server = await startNats();
const nc = await connect({ servers: server.url });
const jsm = await nc.jetstreamManager();
await jsm.streams.add({ name: 'S', subjects: ['a', 'b'], retention: RetentionPolicy.Workqueue, storage: StorageType.File });
await jsm.consumers.add('S', { durable_name: 'ca', filter_subject: 'a', ack_policy: AckPolicy.Explicit });
const js = nc.jetstream();
for (let i = 0; i < 10; i++) await js.publish('a', new Uint8Array(10));
console.log(await jsm.consumers.info('S', 'ca').then((i) => i.num_pending));
const c = await js.consumers.get('S', 'ca');
const it = await c.consume({ max_messages: 100 });
let n = 0;
for await (const m of it) { m.ack(); if (++n >= 10) break; }
console.log('consumed', n); await Promise.race([it.close(), new Promise((r) => setTimeout(() => r(console.log('close hangs')), 3000))]);
await nc.close(); await server.stop();
