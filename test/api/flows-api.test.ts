import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtinProcessors } from '../../processors/registry';
import { pipeFlow, startTestServer, type TestServer } from './api-helpers';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const api = () => request(t.url);

function expectErrorBody(body: unknown) {
  expect(body).toEqual({ error: expect.any(String), details: expect.any(Array) });
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at /); // never a stack trace
}

describe('GET /api/processors', () => {
  test('describes every processor type for the palette', async () => {
    const res = await api().get('/api/processors').expect(200).expect('content-type', /json/);
    expect(res.body.map((p: { type: string }) => p.type)).toEqual(builtinProcessors.map((p) => p.type));
    for (const p of res.body) {
      expect(Object.keys(p).sort()).toEqual(
        ['category', 'config', 'description', 'dynamicRelationships', 'input', 'relationships', 'type'].sort(),
      );
      expect(p.config.type).toBe('object');
    }
    const router = res.body.find((p: { type: string }) => p.type === 'RouteOnAttribute');
    expect(router.dynamicRelationships).toBe(true);
    expect(res.body.find((p: { type: string }) => p.type === 'GenerateFlowFile').input).toBe('forbidden');
  });

  test('one type, and 404 for an unknown one', async () => {
    expect((await api().get('/api/processors/LogAttribute').expect(200)).body.type).toBe('LogAttribute');
    const res = await api().get('/api/processors/NoSuchThing').expect(404);
    expectErrorBody(res.body);
    expect(res.body.error).toMatch(/NoSuchThing/);
  });

  test('relationships of a router for a given config, and path-named errors for a bad config', async () => {
    const res = await api()
      .post('/api/processors/RouteOnAttribute/relationships')
      .send({ routes: { big: '$number(attributes.size) > 10' } })
      .expect(200);
    expect(res.body.relationships.map((r: { name: string }) => r.name)).toEqual(['big', 'unmatched', 'failure']);
    const bad = await api()
      .post('/api/processors/RouteOnAttribute/relationships')
      .send({ routes: { big: 'attributes.size >' } })
      .expect(400);
    expectErrorBody(bad.body);
    expect(bad.body.details[0].path).toBe('/routes/big');
    const wrongType = await api()
      .post('/api/processors/RouteOnAttribute/relationships')
      .send({ routes: 5 })
      .expect(400);
    expect(wrongType.body.details).toEqual([{ path: '/routes', message: 'must be object' }]);
    await api().post('/api/processors/Nope/relationships').send({}).expect(404);
    await api().post('/api/processors/LogAttribute/relationships').type('text').send('x').expect(415);
  });
});

describe('flow CRUD', () => {
  test('create, read, list, replace, delete', async () => {
    const flow = pipeFlow('crud');
    const created = await api().post('/api/flows').send(flow).expect(201);
    expect(created.headers.location).toBe('/api/flows/crud');
    expect(created.body).toEqual(flow);
    expect((await api().get('/api/flows/crud').expect(200)).body).toEqual(flow);
    const list = await api().get('/api/flows').expect(200);
    expect(list.body).toContainEqual({
      id: 'crud',
      name: 'Pipe crud',
      state: 'stopped',
      valid: true,
      processors: 2,
      connections: 1,
    });

    const renamed = { ...flow, name: 'Renamed' };
    expect((await api().put('/api/flows/crud').send(renamed).expect(200)).body).toEqual(renamed);
    expect((await api().get('/api/flows/crud').expect(200)).body.name).toBe('Renamed');

    await api().delete('/api/flows/crud').expect(204);
    expectErrorBody((await api().get('/api/flows/crud').expect(404)).body);
    await api().delete('/api/flows/crud').expect(404);
  });

  test('an invalid flow is stored all the same, named with path-named issues, and cannot start', async () => {
    const flow = pipeFlow('bad');
    (flow.processors[0]!.config as Record<string, unknown>).count = 'many';
    const res = await api().post('/api/flows').send(flow).expect(201);
    expect(res.headers.location).toBe('/api/flows/bad');
    expect(res.body).toMatchObject({ saved: true, valid: false, id: 'bad' });
    expect(res.body.issues).toContainEqual({ path: '/processors/0/config/count', message: 'must be integer' });
    expect((await api().get('/api/flows/bad').expect(200)).body).toEqual(flow);
    await api().post('/api/flows/bad/start').expect(409);
    await api().delete('/api/flows/bad').expect(204);
  });

  test('409 when creating an id that exists; PUT checks the id and the flow', async () => {
    await api().post('/api/flows').send(pipeFlow('dup')).expect(201);
    const clash = await api().post('/api/flows').send(pipeFlow('dup')).expect(409);
    expect(clash.body.error).toMatch(/already exists/);
    const mismatch = await api().put('/api/flows/dup').send(pipeFlow('other')).expect(400);
    expect(mismatch.body.details).toEqual([{ path: '/id', message: 'must be "dup", the id in the URL' }]);
    await api().put('/api/flows/missing').send(pipeFlow('missing')).expect(404);
    const broken = { ...pipeFlow('dup'), connections: [] };
    const invalid = await api().put('/api/flows/dup').send(broken).expect(200);
    expect(invalid.body).toMatchObject({ saved: true, valid: false });
    expect(invalid.body.issues[0].message).toMatch(/neither connected nor auto-terminated/);
    await api().delete('/api/flows/dup').expect(204);
  });

  test('bodies must be JSON: 400 for malformed JSON, 415 for another content type', async () => {
    const malformed = await api()
      .post('/api/flows')
      .set('content-type', 'application/json')
      .send('{"id": ')
      .expect(400);
    expectErrorBody(malformed.body);
    expect(malformed.body.error).toMatch(/invalid JSON/);
    await api().post('/api/flows').type('text').send('hello').expect(415);
    await api().post('/api/flows').expect(415);
  });

  test('a JSON scalar is valid JSON but not a flow: the answer says so at its path, not "invalid JSON"', async () => {
    for (const body of ['null', '5', '"flow"']) {
      const res = await api().post('/api/flows').set('content-type', 'application/json').send(body).expect(400);
      expectErrorBody(res.body);
      expect(res.body.details).toEqual([{ path: '', message: 'must be object' }]);
      const check = await api().post('/api/flows/validate').set('content-type', 'application/json').send(body);
      expect(check.status).toBe(200);
      expect(check.body).toMatchObject({ valid: false, issues: [{ path: '', message: 'must be object' }] });
      // A config of null is no config (the defaults); other scalars are not configs.
      if (body === 'null') continue;
      const rels = await api()
        .post('/api/processors/RouteOnAttribute/relationships')
        .set('content-type', 'application/json')
        .send(body)
        .expect(400);
      expect(rels.body.details).toEqual([{ path: '', message: 'must be object' }]);
    }
  });
});

describe('POST /api/flows/validate', () => {
  test('a valid flow: valid, no issues, the relationships of each processor', async () => {
    const res = await api().post('/api/flows/validate').send(pipeFlow('v')).expect(200);
    expect(res.body).toEqual({ valid: true, issues: [], relationships: { gen: ['success'], log: ['success'] } });
    await api().get('/api/flows/v').expect(404); // not saved
  });

  test('an unfinished flow: 200 with the issues, and relationships of the processors whose config is valid', async () => {
    const flow = pipeFlow('v2');
    flow.processors.push({
      id: 'route',
      type: 'RouteOnAttribute',
      name: 'Route',
      position: { x: 0, y: 0 },
      config: { routes: { big: 'true' } } as never,
      autoTerminate: [],
    });
    flow.connections[0]!.relationships = ['nope'];
    const res = await api().post('/api/flows/validate').send(flow).expect(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.issues).toContainEqual({
      path: '/connections/0/relationships/0',
      message: '"nope" is not a relationship of processor "gen" (GenerateFlowFile); expected one of: success',
    });
    expect(res.body.relationships.route).toEqual(['big', 'unmatched', 'failure']);
  });

  test('not an object at all', async () => {
    const res = await api().post('/api/flows/validate').send([1, 2]).expect(200);
    expect(res.body).toEqual({ valid: false, issues: [{ path: '', message: 'must be object' }], relationships: {} });
  });
});

describe('import and export', () => {
  test('export is a download that imports back to an equal flow (JSON body and multipart file)', async () => {
    const flow = pipeFlow('trip');
    (flow as Record<string, unknown>).description = 'Unicode ✓ and "quotes"';
    await api().post('/api/flows/import').send(flow).expect(201);
    const exported = await download('/api/flows/trip/export');
    expect(exported.disposition).toMatch(/^attachment; filename="?trip\.json"?$/);
    expect(exported.type).toMatch(/application\/json/);
    // Written in the current format version; nothing else changes.
    expect(JSON.parse(exported.body)).toEqual({ ...flow, schemaVersion: 2 });

    await api().delete('/api/flows/trip').expect(204);
    await api()
      .post('/api/flows/import')
      .set('X-Sluice-Request', '1') // uploads must be non-simple requests (cross-site protection)
      .attach('file', Buffer.from(exported.body), { filename: 'trip.json', contentType: 'application/json' })
      .expect(201);
    expect((await api().get('/api/flows/trip').expect(200)).body).toEqual({ ...flow, schemaVersion: 2 });
    expect((await download('/api/flows/trip/export')).body).toBe(exported.body);
  });

  test('an id clash is 409 unless ?replace=true', async () => {
    await api().post('/api/flows/import').send(pipeFlow('clash')).expect(201);
    const res = await api().post('/api/flows/import').send(pipeFlow('clash')).expect(409);
    expect(res.body.error).toMatch(/replace=true/);
    const replaced = { ...pipeFlow('clash'), name: 'Replaced' };
    await api().post('/api/flows/import?replace=true').send(replaced).expect(200);
    expect((await api().get('/api/flows/clash')).body.name).toBe('Replaced');
    await api().post('/api/flows/import?replace=maybe').send(replaced).expect(400);
  });

  test('invalid uploads: not JSON, an invalid flow, no file', async () => {
    const notJson = await api()
      .post('/api/flows/import')
      .set('X-Sluice-Request', '1')
      .attach('file', Buffer.from('{oops'), 'x.json')
      .expect(400);
    expect(notJson.body.error).toMatch(/not JSON/);
    const flow = pipeFlow('up');
    flow.connections[0]!.target = 'ghost';
    const invalid = await api()
      .post('/api/flows/import')
      .set('X-Sluice-Request', '1') // uploads must be non-simple requests (cross-site protection)
      .attach('file', Buffer.from(JSON.stringify(flow)), 'up.json')
      .expect(400);
    expect(invalid.body.details).toContainEqual({
      path: '/connections/0/target',
      message: 'no processor with id "ghost" in this flow',
    });
    await api().post('/api/flows/import').set('X-Sluice-Request', '1').field('note', 'no file').expect(400);
    await api().get('/api/flows/missing/export').expect(404);
  });
});

describe('unknown routes', () => {
  test('404 JSON under /api and elsewhere', async () => {
    const inApi = await api().get('/api/nothing/here').expect(404).expect('content-type', /json/);
    expect(inApi.body).toEqual({ error: 'no route GET /nothing/here', details: [] });
    const outside = await api().post('/whatever').expect(404).expect('content-type', /json/);
    expectErrorBody(outside.body);
  });
});

async function download(path: string) {
  const res = await fetch(`${t.url}${path}`);
  expect(res.status).toBe(200);
  return {
    disposition: res.headers.get('content-disposition'),
    type: res.headers.get('content-type'),
    body: await res.text(),
  };
}
