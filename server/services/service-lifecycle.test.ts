/**
 * Services in the engine: enabled once before the processors that reference them start (what they reference
 * first), disabled once those stopped; a service that fails to enable stops only its processors; a live edit of
 * a service restarts only the processors referencing it (see server/engine/live-edit.test.ts for the rest).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { defineProcessor } from '../engine/contract';
import { FlowEngine } from '../engine/flow-engine';
import { validateFlow } from '../validation/flow-validator';
import { defineService, serviceReference } from './service-contract';

/** Everything that happened, in order: "enable:<id>:<label>", "setup:<processor>:<label>", "teardown:…", "disable:…". */
const events: string[] = [];

interface Handle {
  id: string;
  label: string;
  closed: boolean;
}

const Counter = defineService({
  type: 'TestCounter',
  description: 'Records its enable and disable.',
  provides: ['test-counter'],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      label: { type: 'string', default: '', description: 'Shown in the events.' },
      fail: { type: 'boolean', default: false, description: 'Enable throws.' },
      uses: serviceReference('test-counter', 'A counter enabled before this one.'),
    },
  },
  enable: async (config, ctx): Promise<Handle> => {
    await new Promise((r) => setTimeout(r, 5));
    if (config.fail) throw new Error(`cannot reach ${config.label}`);
    if (config.uses) {
      const used = ctx.services.get<Handle>(config.uses, 'test-counter');
      events.push(`uses:${ctx.serviceId}:${used.id}`);
    }
    events.push(`enable:${ctx.serviceId}:${config.label}`);
    return { id: ctx.serviceId, label: config.label, closed: false };
  },
  disable: async (handle: Handle) => {
    await new Promise((r) => setTimeout(r, 5));
    handle.closed = true;
    events.push(`disable:${handle.id}`);
  },
});

const Use = defineProcessor({
  type: 'TestCounterUser',
  category: 'source',
  description: 'Holds the counter it references while it runs.',
  input: 'forbidden',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      counter: serviceReference('test-counter', 'The counter.'),
      note: { type: 'string', default: '', description: 'Changes nothing but the config.' },
    },
  },
  relationships: [],
  setup: (config, ctx) => {
    const handle = config.counter ? ctx.services.get<Handle>(config.counter, 'test-counter') : undefined;
    events.push(`setup:${ctx.processorId}:${handle?.label ?? '-'}`);
    return handle;
  },
  onTrigger(_session, ctx) {
    if (ctx.state?.closed) throw new Error('using a disabled service');
    ctx.yield();
  },
  teardown: async (_state, ctx) => {
    await new Promise((r) => setTimeout(r, 5));
    events.push(`teardown:${ctx.processorId}`);
  },
});

const registry = createRegistry([Use], [Counter]);
const engines: FlowEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
  events.length = 0;
});

function resolve(flow: unknown) {
  const check = validateFlow(flow, registry, { registerSecrets: false });
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return check.resolved;
}

function engineFor(flow: unknown) {
  const engine = new FlowEngine(resolve(flow), registry);
  engines.push(engine);
  return engine;
}

const user = (id: string, counter?: string, note = '') => ({
  id,
  type: 'TestCounterUser',
  config: { ...(counter && { counter: { service: counter } }), note },
  schedule: { period: '20ms' },
});

function flow(options: { services: object[]; processors: object[] }) {
  return { schemaVersion: 2, id: 'svc-life', name: 'Service lifecycle', connections: [], ...options };
}

const count = (prefix: string) => events.filter((e) => e.startsWith(prefix)).length;

describe('service lifecycle', () => {
  test('one enable for two processors, before they start; disabled once both stopped', async () => {
    const engine = engineFor(
      flow({
        services: [{ id: 'pool', type: 'TestCounter', config: { label: 'v1' } }],
        processors: [user('a', 'pool'), user('b', 'pool'), user('c')],
      }),
    );
    expect(await engine.start()).toEqual([]);
    expect(count('enable:pool')).toBe(1);
    expect(events.indexOf('enable:pool:v1')).toBeLessThan(events.indexOf('setup:a:v1'));
    expect(events.indexOf('enable:pool:v1')).toBeLessThan(events.indexOf('setup:b:v1'));
    expect(engine.status().services.pool).toEqual({
      id: 'pool',
      type: 'TestCounter',
      name: 'pool',
      state: 'enabled',
      referencedBy: ['a', 'b'],
    });

    await engine.stop();
    expect(count('disable:pool')).toBe(1);
    const disabled = events.indexOf('disable:pool');
    expect(disabled).toBeGreaterThan(events.indexOf('teardown:a'));
    expect(disabled).toBeGreaterThan(events.indexOf('teardown:b'));
    expect(engine.status().services.pool!.state).toBe('disabled');
  });

  test('a service referencing another is enabled after it and disabled before it', async () => {
    const engine = engineFor(
      flow({
        services: [
          { id: 'outer', type: 'TestCounter', config: { label: 'o', uses: { service: 'inner' } } },
          { id: 'inner', type: 'TestCounter', config: { label: 'i' } },
        ],
        processors: [user('a', 'outer')],
      }),
    );
    await engine.start();
    expect(events.slice(0, 3)).toEqual(['enable:inner:i', 'uses:outer:inner', 'enable:outer:o']);
    await engine.stop();
    expect(events.indexOf('disable:outer')).toBeLessThan(events.indexOf('disable:inner'));
  });

  test('a service that fails to enable keeps only its processors from starting; the rest of the flow runs', async () => {
    const engine = engineFor(
      flow({
        services: [
          { id: 'good', type: 'TestCounter', config: { label: 'ok' } },
          { id: 'bad', type: 'TestCounter', config: { label: 'mq.internal', fail: true } },
        ],
        processors: [user('a', 'good'), user('b', 'bad'), user('c')],
      }),
    );
    const failures = await engine.start();
    expect(failures).toEqual([
      { processorId: 'b', error: 'not started: service "bad" failed to enable: cannot reach mq.internal' },
    ]);
    const status = engine.status();
    expect(status.services.bad).toMatchObject({
      state: 'failed',
      error: 'cannot reach mq.internal',
      referencedBy: ['b'],
    });
    expect(status.services.good!.state).toBe('enabled');
    expect(status.processors.a!.state).toBe('running');
    expect(status.processors.c!.state).toBe('running');
    expect(status.processors.b!.state).toBe('stopped');
    expect(status.processors.b!.bulletins.map((b) => b.message)).toEqual([
      'not started: service "bad" failed to enable: cannot reach mq.internal',
    ]);
    // Starting the processor alone tries the service again (it still fails here).
    await expect(engine.startProcessor('b')).rejects.toThrow('service "bad" failed to enable');
    expect(events.filter((e) => e.startsWith('setup:b'))).toEqual([]);
  });

  test('a live edit of a service restarts only the processors referencing it', async () => {
    const services = (label: string) => [
      { id: 'pool', type: 'TestCounter', config: { label } },
      { id: 'keep', type: 'TestCounter', config: { label: 'k' } },
    ];
    const processors = (note = '') => [user('a', 'pool'), user('b', 'pool'), user('c', 'keep', note), user('d')];
    const engine = engineFor(flow({ services: services('v1'), processors: processors() }));
    await engine.start();
    const before = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, engine.processor(id)]));

    const { diff, failures } = await engine.apply(
      resolve(flow({ services: services('v2'), processors: processors() })),
    );
    expect(failures).toEqual([]);
    expect(diff.services).toEqual({ added: [], removed: [], changed: ['pool'], unchanged: ['keep'] });
    expect(diff.processors.rewired).toEqual(['a', 'b']);
    expect(engine.processor('a')).not.toBe(before.a);
    expect(engine.processor('b')).not.toBe(before.b);
    expect(engine.processor('c')).toBe(before.c);
    expect(engine.processor('d')).toBe(before.d);
    // The old instance was disabled after both its processors stopped, then the new one enabled before they started.
    const tail = events.slice(events.indexOf('teardown:a') - 1);
    expect(tail.indexOf('disable:pool')).toBeGreaterThan(tail.indexOf('teardown:a'));
    expect(tail.indexOf('disable:pool')).toBeGreaterThan(tail.indexOf('teardown:b'));
    expect(tail.indexOf('enable:pool:v2')).toBeGreaterThan(tail.indexOf('disable:pool'));
    expect(tail.indexOf('setup:a:v2')).toBeGreaterThan(tail.indexOf('enable:pool:v2'));
    expect(count('enable:keep')).toBe(1);
    expect(count('disable:keep')).toBe(0);
    expect(engine.processor('a').state).toBe('running');
    await waitFor(() => engine.processor('b').state === 'running', 'b running again');

    // A processor's own change while its service stays: only it restarts, the service is untouched.
    const enables = count('enable:');
    await engine.apply(resolve(flow({ services: services('v2'), processors: processors('edited') })));
    expect(engine.processor('c')).not.toBe(before.c);
    expect(engine.processor('d')).toBe(before.d);
    expect(count('enable:')).toBe(enables);
    expect(count('disable:')).toBe(1);
    expect(events.at(-1)).toBe('setup:c:k');
  });

  test("a parameter only a service's config uses: changing it replaces the service and restarts its processors", async () => {
    const withLabel = (label: string) => ({
      ...flow({
        services: [{ id: 'pool', type: 'TestCounter', config: { label: '#{label}' } }],
        processors: [user('a', 'pool'), user('d')],
      }),
      parameterContexts: [{ id: 'dev', parameters: [{ name: 'label', value: label }] }],
      parameterContext: 'dev',
    });
    const engine = engineFor(withLabel('one'));
    await engine.start();
    const d = engine.processor('d');
    const { diff } = await engine.apply(resolve(withLabel('two')));
    expect(diff.services.changed).toEqual(['pool']);
    expect(events).toContain('setup:a:two');
    expect(engine.processor('d')).toBe(d);
  });

  test('a service added by a live edit is enabled before the processor that references it', async () => {
    const engine = engineFor(flow({ services: [], processors: [user('d')] }));
    await engine.start();
    await engine.apply(
      resolve(
        flow({
          services: [{ id: 'fresh', type: 'TestCounter', config: { label: 'new' } }],
          processors: [user('d'), user('n', 'fresh')],
        }),
      ),
    );
    expect(events.indexOf('enable:fresh:new')).toBeLessThan(events.indexOf('setup:n:new'));
    expect(engine.processor('n').state).toBe('running');
    // Removing it again: its processor goes first, then the service.
    await engine.apply(resolve(flow({ services: [], processors: [user('d')] })));
    expect(events.indexOf('disable:fresh')).toBeGreaterThan(events.indexOf('teardown:n'));
    expect(engine.status().services).toEqual({});
  });
});
