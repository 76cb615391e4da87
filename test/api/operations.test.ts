/**
 * The operations endpoints against a real server: `GET /api/summary` (every processor and connection of every
 * flow, with status and group paths), `GET /api/bulletins` (the board: filters, `after`, kept when the flow
 * stops and when it is deleted) and `GET /api/search` (by name, type, id or property value, inside groups), and
 * the 400s that name the query parameter.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BoardBulletin } from '../../server/runtime/bulletin-board';
import type { SearchResult } from '../../server/runtime/flow-search';
import type { OperationsSummary } from '../../server/runtime/operations-summary';
import { eventually, pipeFlow, startTestServer, type TestServer } from './api-helpers';

const nestedFile = path.resolve(import.meta.dirname, '../../flows/examples/nested-groups.json');

/** Generate → ExecuteScript whose script warns and then throws: a warn and an error bulletin per batch. */
function failingFlow(id: string) {
  return {
    schemaVersion: 2,
    id,
    name: `Failing ${id}`,
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        config: { content: 'x', count: 0, batchSize: 1 },
        schedule: { period: '300ms' },
      },
      {
        id: 'script',
        type: 'ExecuteScript',
        name: 'Flaky script',
        config: { script: 'log.warn("careful with " + flowFiles.length); throw new Error("boom-42");' },
        autoTerminate: ['success', 'failure'],
      },
    ],
    connections: [{ id: 'gen-to-script', source: 'gen', relationships: ['success'], target: 'script' }],
  };
}

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ queues: 'memory' });
  const nested = JSON.parse(await readFile(nestedFile, 'utf8'));
  const api = request(t.url);
  await api.post('/api/flows').send(nested).expect(201);
  await api
    .post('/api/flows')
    .send(pipeFlow('pipe', { count: 0, period: '20ms' }))
    .expect(201);
  await api.post('/api/flows').send(failingFlow('failing')).expect(201);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const get = async <T>(url: string): Promise<T> => (await request(t.url).get(url).expect(200)).body as T;

describe('GET /api/summary', () => {
  test('lists the processors and connections of every flow with their status and group paths', async () => {
    await request(t.url).post('/api/flows/pipe/start').expect(200);
    const summary = await eventually(async () => {
      const s = await get<OperationsSummary>('/api/summary');
      const gen = s.processors.find((p) => p.flowId === 'pipe' && p.id === 'gen');
      return gen && gen.lastFiveMinutes.out > 0 ? s : undefined;
    });
    expect(summary.flows.map((f) => f.id)).toEqual(['failing', 'nested-groups', 'pipe']);
    expect(summary.flows.find((f) => f.id === 'pipe')!.state).toBe('running');

    const gen = summary.processors.find((p) => p.flowId === 'pipe' && p.id === 'gen')!;
    expect(gen).toMatchObject({ flowName: 'Pipe pipe', name: 'Generate', type: 'GenerateFlowFile', state: 'running' });
    expect(gen.groups).toEqual([]);
    expect(gen.busyMsPerSecond + gen.idleMsPerSecond + gen.backPressuredMsPerSecond).toBe(1000);

    // A processor two groups deep: where the canvas draws it, and its global id.
    const validate = summary.processors.find((p) => p.globalId === 'intake__checks__validate')!;
    expect(validate).toMatchObject({
      flowId: 'nested-groups',
      id: 'validate',
      groups: ['intake', 'checks'],
      groupNames: ['Intake', 'Checks'],
      name: 'Amount missing?',
      state: 'stopped',
    });
    // Ports and funnels are not processors here.
    expect(summary.processors.some((p) => p.type.startsWith('~'))).toBe(false);

    const queue = summary.connections.find((c) => c.flowId === 'pipe' && c.id === 'gen-to-log')!;
    expect(queue).toMatchObject({
      source: { id: 'gen', name: 'Generate' },
      target: { id: 'log', name: 'Log' },
      relationships: ['success'],
      objectThreshold: 10000,
      backPressured: false,
    });
    // A connection from a processor into a child group's port, named by the port.
    const intoGroup = summary.connections.find((c) => c.globalId === 'intake__tag-to-checks')!;
    expect(intoGroup).toMatchObject({ groups: ['intake'], id: 'tag-to-checks' });
    expect(intoGroup.target).toEqual({ id: 'intake__checks__in', name: expect.any(String) });

    const only = await get<OperationsSummary>('/api/summary?flowId=nested-groups');
    expect(new Set(only.processors.map((p) => p.flowId))).toEqual(new Set(['nested-groups']));
    await request(t.url).post('/api/flows/pipe/stop').expect(200);
  });

  test('refuses unknown and malformed query parameters, naming them', async () => {
    const unknown = await request(t.url).get('/api/summary?flow=pipe').expect(400);
    expect(unknown.body.details[0].path).toBe('/query/flow');
    expect(unknown.body.error).toContain('"flow"');
    const empty = await request(t.url).get('/api/summary?flowId=').expect(400);
    expect(empty.body.details[0].path).toBe('/query/flowId');
  });
});

describe('GET /api/bulletins', () => {
  test('keeps every flow’s bulletins, filters them, and keeps them after the flow stops and is deleted', async () => {
    await request(t.url).post('/api/flows/failing/start').expect(200);
    const page = await eventually(async () => {
      const p = await get<{ bulletins: BoardBulletin[]; lastId: number }>('/api/bulletins?flowId=failing');
      const levels = new Set(p.bulletins.map((b) => b.level));
      return levels.has('error') && levels.has('warn') ? p : undefined;
    }, 20_000);
    await request(t.url).post('/api/flows/failing/stop').expect(200);

    const error = page.bulletins.find((b) => b.level === 'error')!;
    expect(error).toMatchObject({ flowId: 'failing', processorId: 'script', processorName: 'Flaky script' });
    expect(error.message).toContain('boom-42');
    expect(page.bulletins.map((b) => b.id)).toEqual([...page.bulletins.map((b) => b.id)].sort((a, b) => b - a));

    const warnings = await get<{ bulletins: BoardBulletin[] }>('/api/bulletins?level=warn&flowId=failing');
    expect(warnings.bulletins.length).toBeGreaterThan(0);
    expect(warnings.bulletins.every((b) => b.level === 'warn')).toBe(true);
    const text = await get<{ bulletins: BoardBulletin[] }>('/api/bulletins?q=BOOM-42');
    expect(text.bulletins.length).toBeGreaterThan(0);
    expect(text.bulletins.every((b) => b.message.includes('boom-42'))).toBe(true);
    const byProcessor = await get<{ bulletins: BoardBulletin[] }>('/api/bulletins?processorId=gen');
    expect(byProcessor.bulletins).toEqual([]);

    // `after`: only what is newer.
    const newest = page.bulletins[0]!.id;
    const after = await get<{ bulletins: BoardBulletin[]; lastId: number }>(`/api/bulletins?after=${newest - 1}`);
    expect(after.bulletins.every((b) => b.id > newest - 1)).toBe(true);
    expect(after.lastId).toBeGreaterThanOrEqual(newest);

    // The flow is stopped: its processors' bulletins are still on the board, and after it is deleted too.
    const stopped = await get<{ bulletins: BoardBulletin[] }>('/api/bulletins?flowId=failing');
    expect(stopped.bulletins.map((b) => b.id)).toEqual(expect.arrayContaining(page.bulletins.map((b) => b.id)));
    await request(t.url).delete('/api/flows/failing').expect(204);
    const deleted = await get<{ bulletins: (BoardBulletin & { location?: unknown })[] }>(
      '/api/bulletins?flowId=failing',
    );
    expect(deleted.bulletins.map((b) => b.id)).toEqual(expect.arrayContaining(page.bulletins.map((b) => b.id)));
    // Its processor is gone: no canvas location to link to.
    expect(deleted.bulletins[0]!.location).toBeUndefined();
    await request(t.url).post('/api/flows').send(failingFlow('failing')).expect(201);
  }, 40_000);

  test('refuses a bad level, limit or after, naming the parameter', async () => {
    const level = await request(t.url).get('/api/bulletins?level=fatal').expect(400);
    expect(level.body.details[0]).toEqual({ path: '/query/level', message: 'must be one of: "error", "warn"' });
    const limit = await request(t.url).get('/api/bulletins?limit=0').expect(400);
    expect(limit.body.details[0].path).toBe('/query/limit');
    const after = await request(t.url).get('/api/bulletins?after=soon').expect(400);
    expect(after.body.details[0].path).toBe('/query/after');
    const twice = await request(t.url).get('/api/bulletins?flowId=a&flowId=b').expect(400);
    expect(twice.body.details[0].path).toBe('/query/flowId');
  });
});

describe('GET /api/search', () => {
  test('finds a processor by a property value inside a nested group, with where the canvas draws it', async () => {
    const result = await get<SearchResult>('/api/search?q=0.2%20%3A%200.1');
    expect(result.hits).toHaveLength(1);
    expect(result.hits[0]).toMatchObject({
      kind: 'processor',
      flowId: 'nested-groups',
      flowName: 'Nested groups',
      groups: ['intake', 'checks', 'pricing'],
      groupNames: ['Intake', 'Checks', 'Pricing'],
      id: 'price',
      globalId: 'intake__checks__pricing__price',
      name: 'Add tax',
      type: 'UpdateAttribute',
      field: 'property',
      property: 'attributes.tax',
    });
    expect(result.hits[0]!.text).toContain('0.2 : 0.1');
  });

  test('finds processors by name and type, connections, groups and labels, grouped by flow', async () => {
    const byType = await get<SearchResult>('/api/search?q=generateflowfile');
    expect(byType.hits.map((h) => `${h.flowId}/${h.id}`)).toEqual([
      'failing/gen',
      'nested-groups/generate',
      'pipe/gen',
    ]);
    expect(byType.hits.every((h) => h.field === 'type')).toBe(true);

    const group = await get<SearchResult>('/api/search?q=pricing');
    expect(group.hits).toContainEqual(
      expect.objectContaining({ kind: 'group', id: 'pricing', groups: ['intake', 'checks'], field: 'name' }),
    );
    // Not every component inside the group because its global id names the group...
    expect(group.hits.some((h) => h.groups.includes('pricing'))).toBe(false);
    // ...but a global id (as a bulletin names a processor) finds its component.
    const global = await get<SearchResult>('/api/search?q=intake__checks__validate');
    expect(global.hits[0]).toMatchObject({ kind: 'processor', id: 'validate', field: 'id' });
    const label = await get<SearchResult>('/api/search?q=see%20the%20groups');
    expect(label.hits).toEqual([expect.objectContaining({ kind: 'label', id: 'about', field: 'text' })]);
    const connection = await get<SearchResult>('/api/search?q=gen-to-log');
    expect(connection.hits).toEqual([expect.objectContaining({ kind: 'connection', flowId: 'pipe', field: 'id' })]);

    const limited = await get<SearchResult>('/api/search?q=e&limit=2');
    expect(limited.hits).toHaveLength(2);
    expect(limited.truncated).toBe(true);
  });

  test('refuses a missing, blank or too long query and a bad limit, naming the parameter', async () => {
    const missing = await request(t.url).get('/api/search').expect(400);
    expect(missing.body.details[0]).toEqual({ path: '/query/q', message: 'is required' });
    const blank = await request(t.url).get('/api/search?q=%20%20').expect(400);
    expect(blank.body.details[0].path).toBe('/query/q');
    const long = await request(t.url)
      .get(`/api/search?q=${'x'.repeat(201)}`)
      .expect(400);
    expect(long.body.details[0].path).toBe('/query/q');
    const limit = await request(t.url).get('/api/search?q=a&limit=501').expect(400);
    expect(limit.body.details[0].path).toBe('/query/limit');
  });
});
