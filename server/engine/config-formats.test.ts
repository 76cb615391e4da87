import { describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { checkProcessorConfig } from '../parameters/check-config';
import { buildParameterScope } from '../parameters/parameter-scope';
import { processorRunner } from '../testing/processor-runner';
import { validateFlow } from '../validation/flow-validator';
import { duration, jsonataExpression, parseConfigFormats, parsedConfig, regex, size } from './config-formats';
import { defineProcessor } from './contract';
import { FlowEngine } from './flow-engine';
import { ProcessorRegistry } from './processor-registry';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeout: duration('How long to wait.', '30s'),
    limit: size('How much to keep.', '10 MB'),
    pattern: regex('What to match.', 'a+'),
    key: jsonataExpression('The key.', 'attributes.id'),
    nested: { type: 'object', properties: { every: duration('How often.', '5 min') }, default: {} },
    waits: { type: 'object', additionalProperties: duration('Per name.', '1s'), default: {} },
    steps: { type: 'array', items: size('A step.', '1 KB'), default: [] },
    count: { type: 'integer', default: 3 },
  },
} as const;

/** A processor that keeps what the engine handed its setup. */
const Probe = defineProcessor({
  type: 'Probe',
  category: 'transform',
  description: 'Test processor.',
  input: 'required',
  config: schema,
  relationships: [{ name: 'success', description: 'All.' }],
  validate: (config) =>
    config.timeout > 3_600_000 ? [{ path: '/timeout', message: `at most 1h; got ${config.timeout} ms` }] : [],
  setup: (config) => {
    // The types say numbers: milliseconds and bytes.
    const ms: number = config.timeout;
    const bytes: number = config.limit;
    const every: number | undefined = config.nested.every;
    const waits: Record<string, number> = config.waits;
    return { ms, bytes, every, waits, steps: config.steps, pattern: config.pattern };
  },
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get())
      session.transfer(
        session.putAttributes(ff, { seen: JSON.stringify({ timeout: config.timeout, ...state }) }),
        'success',
      );
  },
});

const registry = new ProcessorRegistry([Probe]);
const builtins = createRegistry();

describe('config formats', () => {
  test('durations become milliseconds and sizes bytes, at any depth; the input is not changed', () => {
    const config = {
      timeout: '1.5 min',
      limit: '2 KB',
      pattern: 'b',
      key: 'x',
      nested: { every: '100 ms' },
      waits: { 'a/b': '2h' },
      steps: ['512', '1 MB'],
      count: 1,
    };
    const parsed = parseConfigFormats(schema, config);
    expect(parsed.issues).toEqual([]);
    expect(parsed.config).toEqual({
      timeout: 90_000,
      limit: 2048,
      pattern: 'b',
      key: 'x',
      nested: { every: 100 },
      waits: { 'a/b': 7_200_000 },
      steps: [512, 1_048_576],
      count: 1,
    });
    expect(config.timeout).toBe('1.5 min');
  });

  test('bad values are issues at their JSON path that say what to write', () => {
    const { issues } = registry.checkConfig(
      'Probe',
      {
        timeout: 'soon',
        limit: '10 MiB',
        pattern: '(?<=a)b',
        key: 'a +',
        nested: { every: 'often' },
        waits: { 'a/b': '1 fortnight' },
        steps: ['1 KB', 'big'],
      },
      '/processors/0/config',
    );
    expect(issues).toEqual([
      {
        path: '/processors/0/config/timeout',
        message: 'must be a duration such as "100ms", "30s", "5 min" or "1h"',
      },
      {
        path: '/processors/0/config/limit',
        message: 'must be a size such as "512 KB", "10 MB" or "1 GB", or a number of bytes',
      },
      { path: '/processors/0/config/pattern', message: expect.stringMatching(/^lookbehind is not supported/) },
      { path: '/processors/0/config/key', message: expect.stringMatching(/^invalid JSONata expression/) },
      {
        path: '/processors/0/config/nested/every',
        message: 'must be a duration such as "100ms", "30s", "5 min" or "1h"',
      },
      {
        path: '/processors/0/config/waits/a~1b',
        message: 'must be a duration such as "100ms", "30s", "5 min" or "1h"',
      },
      {
        path: '/processors/0/config/steps/1',
        message: 'must be a size such as "512 KB", "10 MB" or "1 GB", or a number of bytes',
      },
    ]);
  });

  test("format issues come with the schema's issues and the processor's own checks, which see parsed values", () => {
    expect(registry.checkConfig('Probe', { timeout: 'soon', count: 'x' }).issues).toEqual([
      { path: '/count', message: 'must be integer' },
      { path: '/timeout', message: 'must be a duration such as "100ms", "30s", "5 min" or "1h"' },
    ]);
    expect(registry.checkConfig('Probe', { timeout: '2h', limit: 'lots' }).issues).toEqual([
      { path: '/timeout', message: 'at most 1h; got 7200000 ms' },
      { path: '/limit', message: 'must be a size such as "512 KB", "10 MB" or "1 GB", or a number of bytes' },
    ]);
  });

  test('the checked config stays as written (what is saved and shown); the engine parses it', () => {
    const checked = registry.checkConfig('Probe', { timeout: '5s' });
    expect(checked.issues).toEqual([]);
    expect(checked.config).toMatchObject({ timeout: '5s', limit: '10 MB', nested: {} });
    expect(parsedConfig(Probe.config, checked.config)).toMatchObject({ timeout: 5000, limit: 10_485_760 });
    expect(() => parsedConfig(Probe.config, { timeout: 'soon' })).toThrow(/\/timeout: not a duration: "soon"/);
  });

  test('a parameter reference is parsed after substitution: "#{t}" → "30s" → 30000', () => {
    const flow = {
      parameterContexts: [{ id: 'dev', parameters: [{ name: 't', value: '30s' }] }],
      parameterContext: 'dev',
    };
    const scope = buildParameterScope(flow);
    expect(scope.issues).toEqual([]);
    const checked = checkProcessorConfig(
      registry,
      'Probe',
      { timeout: '#{t}' },
      '/processors/0/config',
      scope.binding(''),
    );
    expect(checked.issues).toEqual([]);
    expect(checked.config.timeout).toBe('30s');
    expect(parsedConfig<{ timeout: number }>(Probe.config, checked.config).timeout).toBe(30_000);

    const bad = buildParameterScope({
      ...flow,
      parameterContexts: [{ id: 'dev', parameters: [{ name: 't', value: 'later' }] }],
    });
    expect(
      checkProcessorConfig(registry, 'Probe', { timeout: '#{t}' }, '/processors/0/config', bad.binding('')).issues,
    ).toEqual([
      { path: '/processors/0/config/timeout', message: 'must be a duration such as "100ms", "30s", "5 min" or "1h"' },
    ]);
  });

  test('a processor receives milliseconds and bytes in setup and onTrigger', async () => {
    const run = processorRunner(Probe, { timeout: '2 min', steps: ['1 KB'] });
    await run.start();
    run.enqueue('x');
    await run.trigger();
    expect(JSON.parse(run.transferred('success')[0]!.attributes.seen!)).toEqual({
      timeout: 120_000,
      ms: 120_000,
      bytes: 10_485_760,
      every: 300_000,
      waits: {},
      steps: [1024],
      pattern: 'a+',
    });
    await run.stop();
  });

  test('in a running flow, a migrated processor (ControlRate) gets milliseconds from a parameter', async () => {
    const check = validateFlow(
      {
        schemaVersion: 2,
        id: 'formats',
        name: 'Formats',
        parameterContexts: [{ id: 'dev', parameters: [{ name: 'period', value: '30s' }] }],
        parameterContext: 'dev',
        processors: [
          { id: 'gen', type: 'GenerateFlowFile', config: { count: 1 } },
          { id: 'rate', type: 'ControlRate', config: { timePeriod: '#{period}' }, autoTerminate: ['success'] },
        ],
        connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'rate' }],
      },
      builtins,
    );
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, builtins);
    try {
      await engine.start();
      const rate = engine.processor('rate') as unknown as {
        context: { config: { timePeriod: unknown }; state: { periodMs: unknown } };
      };
      expect(rate.context.config.timePeriod).toBe(30_000);
      expect(rate.context.state.periodMs).toBe(30_000);
    } finally {
      await engine.stop();
    }
  });
});
