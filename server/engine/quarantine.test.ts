import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import { waitFor } from '../../test/helpers/wait-for';
import { NatsBackend } from '../nats/nats-backend';
import { MemoryProvenanceStore } from '../storage/memory-provenance-store';
import { validateFlow } from '../validation/flow-validator';
import { defineProcessor } from './contract';
import { FlowEngine } from './flow-engine';

/** Fails every session while `failing` is set; passes FlowFiles on otherwise. */
const control = { failing: true, hang: false };
const Flaky = defineProcessor({
  type: 'TestFlaky',
  category: 'transform',
  description: 'Throws while control.failing; hangs forever while control.hang.',
  input: 'required',
  config: { type: 'object', additionalProperties: false, properties: {} },
  relationships: [{ name: 'success', description: 'Passed.' }],
  async onTrigger(session) {
    const batch = await session.get(10);
    if (control.hang) await new Promise(() => {});
    if (control.failing) throw new Error('cannot parse this');
    for (const ff of batch) session.transfer(ff, 'success');
  },
});

const registry = createRegistry([Flaky]);
const engines: FlowEngine[] = [];
afterEach(async () => {
  control.failing = true;
  control.hang = false;
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

function engineFor(schedule: object, options: ConstructorParameters<typeof FlowEngine>[2] = {}, id = 'q') {
  const check = validateFlow(
    {
      schemaVersion: 1,
      id,
      name: id,
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', config: { content: 'bad', count: 4, batchSize: 4 } },
        { id: 'flaky', type: 'TestFlaky', config: {}, schedule: { penalty: '10ms', yield: '10ms', ...schedule } },
        { id: 'sink', type: 'LogAttribute', config: { logLevel: 'none' }, autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'c1', source: 'gen', relationships: ['success'], target: 'flaky' },
        { id: 'c2', source: 'flaky', relationships: ['success'], target: 'sink' },
      ],
    },
    registry,
  );
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const provenance = new MemoryProvenanceStore();
  const engine = new FlowEngine(check.resolved, registry, { provenance, ...options });
  engines.push(engine);
  return { engine, provenance };
}

describe('poison FlowFiles', () => {
  test('after quarantineAfter failed sessions a FlowFile goes to quarantine, not round again', async () => {
    const { engine, provenance } = engineFor({ quarantineAfter: 3 });
    await engine.start();
    await waitFor(() => engine.status().connections.c1!.quarantined === 4, '4 quarantined');
    const status = engine.status();
    expect(status.connections.c1!.count).toBe(0);
    expect(status.processors.flaky!.errors).toBe(3);
    expect(status.processors.flaky!.bulletins.map((b) => b.message)).toContainEqual(
      expect.stringMatching(
        /4 FlowFile\(s\) failed 3 times and were moved to the quarantine of connection "c1": cannot parse this/,
      ),
    );
    const routed = await provenance.query({ flowId: 'q', type: 'ROUTE', componentId: 'flaky' });
    expect(routed.map((e) => e.relationship)).toEqual(['quarantine', 'quarantine', 'quarantine', 'quarantine']);
    const listed = await engine.listQuarantine('c1');
    expect(listed[0]!.attributes['sluice.quarantine.reason']).toBe('cannot parse this');

    // Fixed: put back, they pass, without the quarantine attributes.
    control.failing = false;
    expect(await engine.releaseQuarantine('c1', 'requeue')).toBe(4);
    await waitFor(() => engine.status().processors.sink!.in === 4, 'passed after requeue');
    const dropped = await provenance.query({ flowId: 'q', type: 'DROP', componentId: 'sink' });
    expect(dropped[0]!.attributes['sluice.quarantine.reason']).toBeUndefined();
    expect(engine.status().connections.c1!.quarantined).toBe(0);
  });

  test('dropping the quarantine records DROP events', async () => {
    const { engine, provenance } = engineFor({ quarantineAfter: 1 });
    await engine.start();
    await waitFor(() => engine.status().connections.c1!.quarantined === 4, '4 quarantined');
    expect(await engine.releaseQuarantine('c1', 'drop')).toBe(4);
    const drops = await provenance.query({ flowId: 'q', type: 'DROP', componentId: 'c1' });
    expect(drops).toHaveLength(4);
    expect(drops[0]!.details).toBe('dropped from quarantine by user');
  });

  test('quarantineAfter 0 retries forever', async () => {
    const { engine } = engineFor({ quarantineAfter: 0 });
    await engine.start();
    await waitFor(() => engine.status().processors.flaky!.errors >= 5, '5 failures');
    expect(engine.status().connections.c1!.quarantined).toBe(0);
    expect(engine.status().connections.c1!.count).toBe(4);
  });
});

describe('watchdog', () => {
  test('a trigger that never returns is abandoned, rolled back, and its FlowFiles end in quarantine', async () => {
    control.hang = true;
    const { engine } = engineFor({ timeout: '100ms', quarantineAfter: 2 });
    await engine.start();
    await waitFor(() => engine.status().connections.c1!.quarantined === 4, 'quarantined after 2 timeouts', 5000);
    const bulletins = engine.status().processors.flaky!.bulletins.map((b) => b.message);
    expect(bulletins.some((m) => /watchdog: onTrigger did not return within 100ms/.test(m))).toBe(true);
    expect(engine.status().processors.flaky!.activeTasks).toBe(0);
  });

  test('stop does not wait forever for a stuck trigger', async () => {
    control.hang = true;
    const { engine } = engineFor({ timeout: '0s' });
    await engine.start();
    await waitFor(() => engine.status().processors.flaky!.activeTasks === 1, 'stuck in onTrigger');
    const started = Date.now();
    await engine.processor('flaky').stop(300);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(engine.status().connections.c1!.count).toBe(4); // rolled back, back in the queue
    expect(engine.status().connections.c1!.inFlight).toBe(0);
  });
});

describe('poison FlowFiles on NATS', () => {
  let nats: NatsServerHandle;
  let backend: NatsBackend;
  beforeAll(async () => {
    nats = await startNats();
    backend = await NatsBackend.open({ url: nats.url, ackWaitMs: 5000, provenance: false });
  });
  afterAll(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
    await backend?.close();
    await nats?.stop();
  });

  test('the quarantine is a stream subject of its own: set aside, listed, put back', async () => {
    const { engine } = engineFor({ quarantineAfter: 2 }, { queueFactory: backend.queueFactory }, 'qnats');
    await engine.start();
    await waitFor(() => engine.status().connections.c1!.quarantined === 4, '4 quarantined on NATS', 15_000);
    expect(engine.status().connections.c1!.count).toBe(0);
    const listed = await engine.listQuarantine('c1');
    expect(listed.map((f) => f.attributes['sluice.quarantine.reason'])).toEqual(Array(4).fill('cannot parse this'));
    control.failing = false;
    expect(await engine.releaseQuarantine('c1', 'requeue')).toBe(4);
    await waitFor(() => engine.status().processors.sink!.in === 4, 'passed after requeue', 15_000);
  });
});
