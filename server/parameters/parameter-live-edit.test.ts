/**
 * A parameter's new value, saved as a new definition of a running flow (what PUT does), restarts only the
 * processors whose config references it: the resolved flow carries substituted configs, and FlowEngine.apply
 * restarts what changed (see server/engine/live-edit.test.ts for the mechanism).
 */
import { afterEach, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { defineProcessor } from '../engine/contract';
import { FlowManager } from '../runtime/flow-manager';
import { MemoryProvenanceStore } from '../storage/memory-provenance-store';

const starts = new Map<string, number>();
const tags: string[] = [];

const Tag = defineProcessor({
  type: 'TestParamTag',
  category: 'transform',
  description: 'Sets the attribute "tag" to its config.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: { tag: { type: 'string', default: '', description: 'The value.' } },
  },
  relationships: [{ name: 'success', description: 'Tagged.' }],
  setup: (_config, ctx) => {
    starts.set(ctx.processorId, (starts.get(ctx.processorId) ?? 0) + 1);
  },
  async onTrigger(session, { config }) {
    for (const ff of await session.get(50)) {
      const prior = ff.attributes.tag ? `${ff.attributes.tag}+` : '';
      session.transfer(session.putAttributes(ff, { tag: `${prior}${config.tag}` }), 'success');
    }
  },
});

const Sink = defineProcessor({
  type: 'TestParamSink',
  category: 'sink',
  description: 'Records the tag of every FlowFile.',
  input: 'required',
  config: { type: 'object', additionalProperties: false, properties: {} },
  relationships: [],
  setup: (_config, ctx) => {
    starts.set(ctx.processorId, (starts.get(ctx.processorId) ?? 0) + 1);
  },
  async onTrigger(session) {
    for (const ff of await session.get(50)) {
      tags.push(ff.attributes.tag ?? '');
      session.remove(ff);
    }
  },
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const manager = new FlowManager({
  registry: createRegistry([Tag, Sink]),
  provenance: new MemoryProvenanceStore(),
  logger: silent,
});
afterEach(() => manager.close());

/** gen → uses (#{color}) → plain (literal) → sink; GenerateFlowFile's batch size is #{batch}. */
function flow(color: string, other = 'x') {
  return {
    schemaVersion: 2,
    id: 'params-live',
    name: 'Parameters, live',
    parameterContexts: [
      {
        id: 'dev',
        parameters: [
          { name: 'color', value: color },
          { name: 'batch', value: '5' },
          { name: 'other', value: other },
        ],
      },
    ],
    parameterContext: 'dev',
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        config: { content: 'x', batchSize: '#{batch}' },
        schedule: { period: '5ms' },
      },
      { id: 'uses', type: 'TestParamTag', config: { tag: '#{color}' } },
      { id: 'plain', type: 'TestParamTag', config: { tag: 'fixed' } },
      { id: 'sink', type: 'TestParamSink' },
    ],
    connections: [
      { id: 'c1', source: 'gen', relationships: ['success'], target: 'uses' },
      { id: 'c2', source: 'uses', relationships: ['success'], target: 'plain' },
      { id: 'c3', source: 'plain', relationships: ['success'], target: 'sink' },
    ],
  };
}

test('changing a parameter restarts the processor that references it; the others keep running', async () => {
  await manager.create(flow('red'));
  await manager.start('params-live');
  await waitFor(() => tags.includes('red+fixed'), 'FlowFiles tagged with the first value');
  const engine = manager.engine('params-live')!;
  const before = { gen: engine.processor('gen'), uses: engine.processor('uses'), plain: engine.processor('plain') };
  expect(Object.fromEntries(starts)).toEqual({ uses: 1, plain: 1, sink: 1 });

  // The saved definition changes only in the context: "uses" references the parameter, nothing else does.
  await manager.replace('params-live', flow('blue'));
  await waitFor(() => tags.includes('blue+fixed'), 'FlowFiles tagged with the new value');
  expect(engine.processor('uses')).not.toBe(before.uses);
  expect(engine.processor('gen')).toBe(before.gen);
  expect(engine.processor('plain')).toBe(before.plain);
  expect(Object.fromEntries(starts)).toEqual({ uses: 2, plain: 1, sink: 1 });
  expect(engine.processor('uses').state).toBe('running');

  // A parameter no processor references: nothing restarts.
  await manager.replace('params-live', flow('blue', 'y'));
  expect(engine.processor('gen')).toBe(before.gen);
  expect(Object.fromEntries(starts)).toEqual({ uses: 2, plain: 1, sink: 1 });
  // The stored definition keeps its references.
  expect(JSON.stringify(manager.get('params-live'))).toContain('#{color}');
});
