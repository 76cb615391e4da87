/** The redactor, and where it applies in the engine: bulletins, log lines, start failures, quarantine reasons. */
import { afterEach, describe, expect, test } from 'vitest';
import { createRegistry } from '../../processors/registry';
import { waitFor } from '../../test/helpers/wait-for';
import { defineProcessor, type ProcessorLogger } from '../engine/contract';
import { FlowEngine } from '../engine/flow-engine';
import { MemoryProvenanceStore } from '../storage/memory-provenance-store';
import { validateFlow } from '../validation/flow-validator';
import { REDACTED, redactDeep, redactError, redactSecrets, registerSecrets } from './redactor';

describe('redactor', () => {
  test('takes out a registered value in every form; short values are not registered', () => {
    registerSecrets(['redact-me-1234', 'abc']);
    const secret = 'redact-me-1234';
    const forms = [
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('hex'),
    ];
    for (const f of forms) expect(redactSecrets(`before ${f} after`)).toBe(`before ${REDACTED} after`);
    expect(redactSecrets('abc stays')).toBe('abc stays');
    const err = new Error(`login failed for redact-me-1234`);
    expect(redactDeep({ nested: [{ err }], n: 1 })).toEqual({
      nested: [
        { err: { type: 'Error', message: `login failed for ${REDACTED}`, stack: expect.not.stringContaining(secret) } },
      ],
      n: 1,
    });
    const unchanged = { a: 'nothing secret' };
    expect(redactDeep(unchanged)).toBe(unchanged);
    expect(redactError(new Error('x redact-me-1234')).message).toBe(`x ${REDACTED}`);
  });
});

test('a flow only checked (POST /flows/validate) does not make its values secrets; a kept one does', () => {
  const flow = (value: string) => ({
    schemaVersion: 2,
    id: 'v',
    name: 'V',
    parameterContexts: [{ id: 'c', parameters: [{ name: 'pw', value, sensitive: true }] }],
    processors: [],
    connections: [],
  });
  const registry = createRegistry();
  expect(validateFlow(flow('only-validated-value'), registry, { registerSecrets: false }).ok).toBe(true);
  expect(redactSecrets('only-validated-value')).toBe('only-validated-value');
  expect(validateFlow(flow('kept-flow-value'), registry).ok).toBe(true);
  expect(redactSecrets('kept-flow-value')).toBe(REDACTED);
});

describe('in the engine', () => {
  const SECRET = 'engine-secret-7f3a9c';
  const lines: string[] = [];
  const logger: ProcessorLogger = {
    debug: (o, m) => lines.push(JSON.stringify([o, m])),
    info: (o, m) => lines.push(JSON.stringify([o, m])),
    warn: (o, m) => lines.push(JSON.stringify([o, m])),
    error: (o, m) => lines.push(JSON.stringify([o, m])),
  };
  const Leaky = defineProcessor({
    type: 'TestLeaky',
    category: 'sink',
    description: 'Fails with its password in every message.',
    input: 'required',
    config: {
      type: 'object',
      additionalProperties: false,
      properties: {
        password: { type: 'string', default: '', 'x-sensitive': true, description: 'Secret.' },
        failStart: { type: 'boolean', default: false, description: 'Fail in setup.' },
      },
    },
    relationships: [],
    setup(config, ctx) {
      ctx.logger.warn({ detail: `connecting with ${config.password}` }, `connecting as app:${config.password}`);
      if (config.failStart) throw new Error(`authentication failed for password ${config.password}`);
    },
    async onTrigger(session, { config }) {
      await session.get(10);
      throw new Error(`broker said no to ${encodeURIComponent(config.password)}`);
    },
  });
  const registry = createRegistry([Leaky]);
  const engines: FlowEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
    lines.length = 0;
  });

  function engineFor(failStart: boolean, provenance = new MemoryProvenanceStore()) {
    const check = validateFlow(
      {
        schemaVersion: 2,
        id: 'leak',
        name: 'Leak',
        parameterContexts: [{ id: 'p', parameters: [{ name: 'pw', value: SECRET, sensitive: true }] }],
        parameterContext: 'p',
        processors: [
          { id: 'gen', type: 'GenerateFlowFile', config: { count: 1 } },
          {
            id: 'leaky',
            type: 'TestLeaky',
            config: { password: '#{pw}', failStart },
            schedule: { penalty: '0s', yield: '10ms', quarantineAfter: 2 },
          },
        ],
        connections: [{ id: 'c', source: 'gen', relationships: ['success'], target: 'leaky' }],
      },
      registry,
    );
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    // The processor runs with the value itself...
    expect(check.resolved.processors[1]!.config.password).toBe(SECRET);
    const engine = new FlowEngine(check.resolved, registry, { logger, provenance });
    engines.push(engine);
    return engine;
  }

  test('a start failure: the bulletin, the log line and the failure returned hold no secret', async () => {
    const engine = engineFor(true);
    const failures = await engine.start();
    expect(failures).toEqual([{ processorId: 'leaky', error: `authentication failed for password ${REDACTED}` }]);
    const bulletins = engine.processor('leaky').bulletins;
    expect(bulletins.map((b) => b.message)).toEqual([
      `connecting as app:${REDACTED}`,
      `failed to start: authentication failed for password ${REDACTED}`,
    ]);
    expect(lines.join('\n')).toContain(REDACTED);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  test('trigger failures: bulletins, logs and the quarantine reason in provenance hold no secret', async () => {
    const provenance = new MemoryProvenanceStore();
    const engine = engineFor(false, provenance);
    await engine.start();
    const leaky = engine.processor('leaky');
    await waitFor(() => leaky.bulletins.some((b) => b.message.includes('quarantine')), 'the FlowFile quarantined');
    const events = await provenance.query({ limit: 1000 });
    // The quarantine reason is in provenance (and the FlowFile's attributes), redacted.
    expect(events.some((e) => e.details?.includes(`broker said no to ${REDACTED}`))).toBe(true);
    const everything = JSON.stringify([leaky.bulletins, lines, events]);
    expect(everything).toContain(`broker said no to ${REDACTED}`);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(encodeURIComponent(SECRET));
  });
});
