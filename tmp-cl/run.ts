import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { execSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNatsCluster } from '../test/helpers/nats-cluster';
import { freePort } from '../test/helpers/ports';
import { spawnSluice } from '../test/cluster/sluice-process';
const N = Number(process.argv[2] ?? 20000);
const base = await mkdtemp(path.join(tmpdir(), 'sl-'));
await mkdir(path.join(base, 'in')); await mkdir(path.join(base, 'out'));
let t = Date.now();
for (let f = 0; f < N / 1000; f++) await writeFile(path.join(base, 'in', `ff-${String(f).padStart(4, '0')}.txt`), Array.from({ length: 1000 }, (_, k) => `payload ${f * 1000 + k}\n`).join(''));
console.log('files written', Date.now() - t);
const cluster = await startNatsCluster();
const port = await freePort();
const args = ['--nats', cluster.url, '--replicas', process.env.R ?? '3', '--status-interval', '500ms'];
const ps = [spawnSluice('server', ['serve', ...args, '--no-worker', '--port', String(port), '--data', base]),
  spawnSluice('w1', ['worker', ...args, '--name', 'w1', '--data', base]),
  spawnSluice('w2', ['worker', ...args, '--name', 'w2', '--data', base])];
const api = `http://127.0.0.1:${port}/api`;
for (let i = 0; ; i++) { if (i % 50 === 49) for (const p of ps) console.log(p.name, p.gone, p.stderr().slice(-500)); try { const r = await (await fetch(`${api}/workers`)).json() as any; if (r.workers.filter((w: any) => w.alive).length === 2) break; } catch {} await new Promise((r) => setTimeout(r, 200)); }
console.log('up');
const flow = { schemaVersion: 1, id: 'f', name: 'f', processors: [
  { id: 'src', type: 'GetFile', executionMode: 'primary', config: { directory: path.join(base, 'in'), batchSize: 1 }, schedule: { period: '200ms' } },
  { id: 'strip', type: 'UpdateAttribute', config: { delete: ['filename'] }, autoTerminate: ['failure'] },
  { id: 'tag', type: 'SplitText', config: { lineCount: 1 }, autoTerminate: ['failure', 'original'] },
  { id: 'merge', type: 'MergeContent', config: { maxEntries: 1000 }, autoTerminate: ['failure', 'original'] },
  { id: 'put', type: 'PutFile', config: { directory: path.join(base, 'out'), conflictResolution: 'unique', batchSize: 500 }, autoTerminate: ['success'] }],
  connections: [{ id: 'c1', source: 'src', relationships: ['success'], target: 'strip' }, { id: 'c0', source: 'strip', relationships: ['success'], target: 'tag' }, { id: 'c2', source: 'tag', relationships: ['splits'], target: 'merge' }, { id: 'c4', source: 'merge', relationships: ['merged'], target: 'put' }, { id: 'c3', source: 'put', relationships: ['failure'], target: 'put' }] };
await fetch(`${api}/flows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(flow) });
await fetch(`${api}/flows/f/start`, { method: 'POST' });
t = Date.now();
for (;;) {
  await new Promise((r) => setTimeout(r, 2000));
  const s = await (await fetch(`${api}/flows/f/status`)).json() as any;
  let out = 0; for (const f of await readdir(path.join(base, 'out'))) if (!f.startsWith('.')) out += (await readFile(path.join(base, 'out', f), 'utf8')).split('\n').length - 1;
  const pids = ps.map((p) => p.pid).join(',') + ',' + cluster.nodes.map((n) => n.pid).join(',');
  const cpu = execSync(`ps -o pid=,pcpu=,rss=,comm= -p ${pids}`).toString().trim().replace(/\n\s*/g, ' | ');
  console.log(((Date.now() - t) / 1000).toFixed(0), 'out', out, 'src', s.processors.src.out, 'tag', s.processors.tag.in, 'merge', s.processors.merge.in, 'put', s.processors.put.in, 'c1', s.connections.c1.count, 'c2', s.connections.c2.count, 'busy', s.processors.src.busyMsPerSecond|0, s.processors.tag.busyMsPerSecond|0, s.processors.put.busyMsPerSecond|0, 'bp', s.processors.src.backPressuredMsPerSecond|0);
  console.log('   ', cpu);
  if (out >= N) break;
}
console.log('done in', Date.now() - t);
for (const p of ps) await p.stop();
await cluster.stop();
