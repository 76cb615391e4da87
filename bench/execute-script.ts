/**
 * ExecuteScript against UpdateAttribute on the same attribute update (`seen=yes`), each through processorRunner
 * (a real Session, in-memory queues) in batches: FlowFiles/s for each.
 * `node --import tsx bench/execute-script.ts [count] [batchSize]` (defaults 200000 and 100).
 */
import ExecuteScript from '../processors/execute-script';
import UpdateAttribute from '../processors/update-attribute';
import type { ProcessorDefinition } from '../server/engine/contract';
import { processorRunner } from '../server/testing/processor-runner';

const count = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 100);
const CHUNK = 10_000;

async function measure(name: string, definition: ProcessorDefinition, config: Record<string, unknown>) {
  const run = processorRunner(definition, { ...config, batchSize });
  await run.start();
  for (let i = 0; i < batchSize * 10; i++) run.enqueue('{"id":1}', { n: String(i) }); // warm-up
  await run.run(Number.MAX_SAFE_INTEGER);
  run.transferred('success');
  // In chunks: the runner's `transferred` spreads what it takes into one call.
  let seconds = 0;
  let out = run.transferred('success').length;
  for (let done = 0; done < count; done += CHUNK) {
    for (let i = done; i < Math.min(count, done + CHUNK); i++) run.enqueue('{"id":1}', { n: String(i) });
    const started = performance.now();
    await run.run(Number.MAX_SAFE_INTEGER);
    seconds += (performance.now() - started) / 1000;
    const all = run.transferred('success');
    if (all.slice(out).some((ff) => ff.attributes.seen !== 'yes'))
      throw new Error(`${name}: a FlowFile was not updated`);
    out = all.length;
  }
  out -= batchSize * 10;
  await run.stop();
  if (out !== count) throw new Error(`${name}: ${out} of ${count} FlowFiles came out`);
  const rate = Math.round(count / seconds);
  console.log(
    `${name.padEnd(16)} ${String(rate).padStart(9)} FlowFiles/s  (${count} in ${seconds.toFixed(2)} s, batch ${batchSize})`,
  );
  return rate;
}

const update = await measure('UpdateAttribute', UpdateAttribute, { attributes: { seen: '"yes"' } });
const script = await measure('ExecuteScript', ExecuteScript, {
  script: "for (const ff of flowFiles) ff.attributes.seen = 'yes';",
});
console.log(`ExecuteScript runs at ${((script / update) * 100).toFixed(0)} % of UpdateAttribute's rate`);
