/**
 * FlowFiles/s through a 3-processor flow, in-process against NATS JetStream (a local nats-server):
 * GenerateFlowFile (100-byte content, 2 attributes) → UpdateAttribute → LogAttribute (silent), the sink
 * auto-terminating. `node --import tsx bench/nats-vs-memory.ts [count] [runs]`; each back end runs in a fresh
 * process, the median of the runs is printed.
 */
import { execFileSync } from 'node:child_process';
import { createRegistry } from '../processors/registry';
import { FlowEngine } from '../server/engine/flow-engine';
import { validateFlow } from '../server/validation/flow-validator';

const [mode, countArg] = process.argv.slice(2);

function flow(count: number) {
  return {
    schemaVersion: 1,
    id: 'bench-hop',
    name: 'bench-hop',
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        config: { content: 'x'.repeat(100), batchSize: 1000, count, attributes: { a: '1', b: '2' } },
      },
      {
        id: 'tag',
        type: 'UpdateAttribute',
        config: { attributes: { region: '"eu"' }, batchSize: 1000 },
        autoTerminate: ['failure'],
      },
      { id: 'sink', type: 'LogAttribute', config: { logLevel: 'none', batchSize: 1000 }, autoTerminate: ['success'] },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: 'tag' },
      { id: 'c2', source: 'tag', relationships: ['success'], target: 'sink' },
    ],
  };
}

async function once(backend: string, count: number): Promise<void> {
  const registry = createRegistry();
  const check = validateFlow(flow(count), registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  let options = {};
  let close = async () => {};
  let perMessage = () => 0;
  if (backend === 'nats') {
    const { natsBackend } = await import('./nats-backend');
    const nats = await natsBackend({ provenance: process.env.BENCH_NATS_PROVENANCE !== '0' });
    options = nats.engineOptions;
    close = nats.close;
    perMessage = nats.flowFilesPerMessage;
  }
  const engine = new FlowEngine(check.resolved, registry, options);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await engine.start();
  const idle = await engine.waitUntilIdle(600_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await engine.stop();
  const received = engine.status().processors.sink!.in;
  const ffPerMessage = perMessage();
  await close();
  const result = {
    backend,
    idle,
    received,
    flowFilesPerSecond: Math.round(count / seconds),
    processCpuPerSecond: Number(((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)),
    flowFilesPerMessage: Math.round(ffPerMessage),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (mode === 'memory' || mode === 'nats') await once(mode, Number(countArg ?? 200_000));
else {
  const count = Number(mode ?? 200_000);
  const runs = Number(countArg ?? 3);
  for (const backend of ['memory', 'nats']) {
    const results = [];
    for (let i = 0; i < runs; i++) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, backend, String(count)], {
        encoding: 'utf8',
        env: { ...process.env, LOG_LEVEL: 'silent' },
      });
      results.push(JSON.parse(out.trim().split('\n').at(-1)!));
    }
    results.sort((a, b) => a.flowFilesPerSecond - b.flowFilesPerSecond);
    const median = results[Math.floor(results.length / 2)];
    process.stdout.write(
      `${backend}: ${median.flowFilesPerSecond} FlowFiles/s (median of ${runs}; ${count} FlowFiles; process CPU ${median.processCpuPerSecond} s/s${backend === 'nats' ? `; ${median.flowFilesPerMessage} FlowFiles/message` : ''}; all received: ${results.every((r) => r.received === count)})\n`,
    );
  }
}
