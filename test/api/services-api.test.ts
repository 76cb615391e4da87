/**
 * Services through the API: the types, enabling and disabling a flow's service (also in a group), the refusal
 * naming the enabled processors that reference it, and a PUT removing a referenced service saved as invalid.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestServer, type TestServer } from './api-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

const order = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };

/** gen → check (ValidateJSON against the registry "schemas"); the group "audit" has its own registry. */
function flow(options: { withService?: boolean; checkDisabled?: boolean } = {}) {
  const { withService = true, checkDisabled = false } = options;
  return {
    schemaVersion: 2,
    id: 'svc-api',
    name: 'Services API',
    services: withService ? [{ id: 'schemas', type: 'JsonSchemaRegistry', config: { schemas: { order } } }] : [],
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', config: { content: '{"id":"1"}' }, schedule: { period: '50ms' } },
      {
        id: 'check',
        type: 'ValidateJSON',
        config: { schemaRegistry: { service: 'schemas' }, schemaName: 'order' },
        autoTerminate: ['valid', 'invalid'],
        disabled: checkDisabled,
      },
    ],
    connections: [{ id: 'c1', source: 'gen', relationships: ['success'], target: 'check' }],
    groups: [
      {
        id: 'audit',
        services: [{ id: 'schemas', type: 'JsonSchemaRegistry', config: { schemas: { order } } }],
      },
    ],
  };
}

const status = async () => (await request(t.url).get('/api/flows/svc-api/status').expect(200)).body;

describe('service types', () => {
  test('GET /api/services lists every type with what it provides and its config schema', async () => {
    const body = (await request(t.url).get('/api/services').expect(200)).body as { type: string }[];
    const byType = Object.fromEntries(body.map((d) => [d.type, d]));
    expect(byType.HttpClient).toMatchObject({ provides: ['http-client'], config: { type: 'object' } });
    expect(byType.JsonSchemaRegistry).toMatchObject({ provides: ['json-schema-registry'] });
    expect(Object.keys(byType.HttpClient!)).toEqual(['type', 'description', 'provides', 'config']);
  });

  test('GET /api/services/:type: one type, 404 for an unknown one', async () => {
    const one = (await request(t.url).get('/api/services/JsonSchemaRegistry').expect(200)).body;
    expect(one.type).toBe('JsonSchemaRegistry');
    const missing = await request(t.url).get('/api/services/Nope').expect(404);
    expect(missing.body.error).toMatch(/^no service type "Nope"; known types: .*HttpClient/);
  });
});

describe("a flow's services", () => {
  test('disable is refused while an enabled processor references the service; allowed once it is disabled', async () => {
    const api = request(t.url);
    await api.post('/api/flows').send(flow()).expect(201);
    await api.post('/api/flows/svc-api/start').expect(200);
    await eventually(async () => (await status()).services.schemas?.state === 'enabled');
    expect((await status()).services.schemas.referencedBy).toEqual(['check']);

    const refused = await api.post('/api/flows/svc-api/services/schemas/disable').expect(409);
    expect(refused.body).toMatchObject({
      error: 'service "schemas" is referenced by enabled processors check; disable them first',
      processors: ['check'],
    });
    expect((await api.get('/api/flows/svc-api').expect(200)).body.services[0].enabled).not.toBe(false);

    // The group's own registry is referenced by nobody: it disables and enables live.
    const off = await api.post('/api/flows/svc-api/services/audit/schemas/disable').expect(200);
    expect(off.body).toMatchObject({
      service: 'audit/schemas',
      serviceId: 'audit__schemas',
      enabled: false,
      state: 'disabled',
      valid: true,
    });
    expect((await api.get('/api/flows/svc-api').expect(200)).body.groups[0].services[0].enabled).toBe(false);
    const on = await api.post('/api/flows/svc-api/services/audit/schemas/enable').expect(200);
    expect(on.body).toMatchObject({ enabled: true, state: 'enabled' });

    // With the processor disabled, the service may be disabled: the flow stays valid and running.
    await api
      .put('/api/flows/svc-api')
      .send(flow({ checkDisabled: true }))
      .expect(200);
    const disabled = await api.post('/api/flows/svc-api/services/schemas/disable').expect(200);
    expect(disabled.body).toMatchObject({ enabled: false, state: 'disabled', valid: true });
    expect((await status()).processors.gen.state).toBe('running');
    await api.post('/api/flows/svc-api/services/schemas/enable').expect(200);
    expect((await status()).services.schemas.state).toBe('enabled');

    await api.post('/api/flows/svc-api/services/nope/enable').expect(404);
    await api.post('/api/flows/svc-api/services/audit/nope/enable').expect(404);
  });

  test('a PUT that removes a referenced service is saved invalid, with the issue at the processor property', async () => {
    const api = request(t.url);
    const res = await api
      .put('/api/flows/svc-api')
      .send(flow({ withService: false }))
      .expect(200);
    expect(res.body).toMatchObject({ saved: true, valid: false });
    expect(res.body.issues).toEqual([
      {
        path: '/processors/1/config/schemaRegistry',
        message: 'service "schemas" is not defined in this group or above',
      },
    ]);
    await api.post('/api/flows/svc-api/start').expect(409);
  });
});
