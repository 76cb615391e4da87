import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect, test } from 'vitest';
import { defineProcessor, type HttpMount } from '.';
import { dispatchHttpListener, FlowEngine, httpListenerIds, ProcessorRegistry, validateFlow } from './testing';

const answered: string[] = [];

/** Mounts on the server's port and never unmounts: the engine releases the mount when it stops. */
const Forgetful = defineProcessor({
  type: 'ForgetfulListener',
  category: 'source',
  description: 'Mounts a handler on the server and forgets to unmount it.',
  input: 'forbidden',
  config: { type: 'object', additionalProperties: false, properties: {} },
  relationships: [{ name: 'success', description: 'Nothing.' }],
  setup(_config, ctx): HttpMount {
    return ctx.mountHttp((req: IncomingMessage, res: ServerResponse) => {
      answered.push(req.url ?? '');
      res.end();
    });
  },
  onTrigger() {},
});

test('ctx.mountHttp serves /listen/<processor id> on the engine until the processor stops', async () => {
  const registry = new ProcessorRegistry([Forgetful]);
  const flow = {
    schemaVersion: 1,
    id: 'mount',
    name: 'mount',
    processors: [{ id: 'in-1', type: 'ForgetfulListener', config: {}, autoTerminate: ['success'] }],
    connections: [],
  };
  const check = validateFlow(flow, registry);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  const engine = new FlowEngine(check.resolved, registry);
  await engine.start();
  try {
    expect(httpListenerIds()).toContain('in-1');
    const res = { end() {} } as unknown as ServerResponse;
    expect(dispatchHttpListener('in-1', { url: '/listen/in-1/x' } as IncomingMessage, res)).toBe(true);
    expect(answered).toEqual(['/listen/in-1/x']);
  } finally {
    await engine.stop();
  }
  expect(httpListenerIds()).not.toContain('in-1');
});
