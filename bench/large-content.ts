/**
 * The content store alone on a fresh nats-server: put, get and release of objects as a flow does them (a batch
 * of `parallel` FlowFiles put at once, then read one after the other, then released), for several chunk sizes
 * and windows, and the nats client's own putBlob/getBlob/delete for comparison. Used to pick CHUNK_SIZE and WINDOW in server/nats/content-store.ts.
 * `node --import tsx bench/large-content.ts [sizeMb=1] [objects=200] [parallel=10]` prints a table and one JSON
 * line.
 *
 * Measured on this machine (2 vCPUs shared with other jobs, load 4–7; nats-server 2.9.10 on loopback, max_payload
 * 1 MB), two runs: MB/s of put+get+release, and (CPU-seconds per GB, client / nats-server):
 *   1 MB objects, 10 at a time: the client's putBlob/getBlob/delete 26–34 (32–36 / 5–6); this store with 128 KB to
 *     1 MB chunks and windows 1–8: 88–187 (5–8 / 3–5), the settings differing by less than the run-to-run noise.
 *   8 MB objects, 4 at a time: the client's 33–41 (26–28 / 3); 1 MB chunks 152–202 (4.5–5.3 / 2.4–3.2), smaller
 *     chunks 109–198.
 * 1 MB (max_payload) has the fewest messages per object and was best or level for 8 MB objects, so it is the
 * default, with window 4.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ContentStore } from '../server/nats/content-store';
import { contentBucket } from '../server/nats/names';
import { NatsLink } from '../server/nats/nats-link';
import { startNats } from '../test/helpers/nats-server';

const sizeMb = Number(process.argv[2] ?? 1);
const objects = Number(process.argv[3] ?? 200);
const parallel = Number(process.argv[4] ?? 10);
const size = Math.round(sizeMb * 1024 * 1024);

const nats = await startNats();
const link = await NatsLink.open(nats.url);
const content = Array.from({ length: parallel }, () => randomBytes(size));

/** nats-server's CPU-seconds so far. */
function serverCpu(): number {
  const fields = readFileSync(`/proc/${nats.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Store {
  put(i: number): Promise<string>;
  get(claim: string): Promise<Uint8Array>;
  release(claims: string[]): Promise<void>;
}

let flows = 0;
function sluice(chunkSize: number, window: number): Store {
  const s = new ContentStore(link, `bench${++flows}`, 0, undefined, 1, { chunkSize, window });
  return {
    put: (i) =>
      s.put({ id: `ff${i}`, attributes: {}, content: content[i % parallel]!, size, entryDate: 0, lineageStartDate: 0 }),
    get: (c) => s.get(c),
    release: async (claims) => {
      s.release(claims);
      await s.settle();
    },
  };
}

/** The nats client's Object Store calls, as the content store used them before. */
async function client(chunkSize: number): Promise<Store> {
  const os = await link.js.views.os(contentBucket(`bench${++flows}`));
  return {
    put: async (i) => {
      const name = `ff${i}.${Math.random().toString(36).slice(2, 10)}`;
      await os.putBlob({ name, options: { max_chunk_size: chunkSize } }, content[i % parallel]!);
      return name;
    },
    get: async (c) => (await os.getBlob(c))!,
    release: async (claims) => {
      await Promise.all(claims.map((c) => os.delete(c)));
    },
  };
}

async function measure(label: string, store: Store) {
  // Warm-up (bucket creation, first requests).
  await store.release(await Promise.all([0, 1].map((i) => store.put(i))));
  const cpu0 = process.cpuUsage();
  const server0 = serverCpu();
  const t0 = performance.now();
  let putMs = 0;
  let getMs = 0;
  for (let done = 0; done < objects; done += parallel) {
    const n = Math.min(parallel, objects - done);
    const a = performance.now();
    const claims = await Promise.all(Array.from({ length: n }, (_, k) => store.put(done + k)));
    const b = performance.now();
    // One after the other, as the pull loop downloads a message's claims.
    for (const claim of claims) if ((await store.get(claim)).length !== size) throw new Error('wrong size');
    const c = performance.now();
    await store.release(claims);
    putMs += b - a;
    getMs += c - b;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const server = serverCpu() - server0;
  const mb = (objects * size) / 2 ** 20;
  return {
    store: label,
    'MB/s (put+get+release)': Math.round(mb / seconds),
    'put MB/s': Math.round(mb / (putMs / 1000)),
    'get MB/s': Math.round(mb / (getMs / 1000)),
    'client CPU s/GB': Math.round((((cpu.user + cpu.system) / 1e6) * 1024 * 100) / mb) / 100,
    'nats-server CPU s/GB': Math.round(((server * 1024) / mb) * 100) / 100,
  };
}

const rows = [];
try {
  rows.push(await measure('client putBlob/getBlob (512 KB chunks)', await client(512 * 1024)));
  for (const chunk of [128, 256, 512, 1024])
    rows.push(await measure(`sluice chunk ${chunk} KB, window 4`, sluice(chunk * 1024, 4)));
  for (const window of [1, 2, 8])
    rows.push(await measure(`sluice chunk 1024 KB, window ${window}`, sluice(2 ** 20, window)));
} finally {
  await link.close();
  await nats.stop();
}
console.table(rows);
process.stdout.write(`${JSON.stringify({ scenario: 'large-content-store', sizeMb, objects, parallel, rows })}\n`);
