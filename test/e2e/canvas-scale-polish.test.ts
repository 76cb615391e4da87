/**
 * The canvas at scale and its polish, in real Chromium against the real server: every example opens at a
 * readable zoom with the minimap over no handle, a flow too large for that opens on its sources, cards turn
 * into named boxes when zoomed out and back into cards when zoomed in, parallel connections' queue labels stay
 * apart, and a status tick re-renders only the cards and labels whose figures changed (counted by the canvas's
 * test hooks, window.__SLUICE_TEST_HOOKS__).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { largeFlow } from '../../bench/canvas-flows';
import type { Flow } from '../../flows/flow-schema';
import {
  apiJson,
  byTestId,
  ensureUiBuilt,
  launchChromium,
  ROOT,
  type SluiceProcess,
  startSluice,
  until,
  withScreenshot,
} from './harness';

let server: SluiceProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Opens a flow in a fresh page with the canvas's test hooks on. */
async function openFlow(flowId: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript('globalThis.__SLUICE_TEST_HOOKS__ = {};');
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/#/flows/${flowId}`);
  await until(`flow ${flowId} to open`, () => page.locator('.react-flow__node').count());
  return page;
}

/** The zoom React Flow shows the canvas at. */
async function zoomOf(page: Page): Promise<number> {
  const transform = await page.locator('.react-flow__viewport').evaluate((el) => (el as any).style.transform);
  return Number(/scale\(([\d.e-]+)\)/.exec(transform)?.[1]);
}

function setViewport(page: Page, viewport: { x: number; y: number; zoom: number }): Promise<void> {
  return page.evaluate((v) => (globalThis as any).__SLUICE_TEST_HOOKS__.viewport.set(v), viewport);
}

async function renders(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => ({ ...((globalThis as any).__SLUICE_TEST_HOOKS__.renders ?? {}) }));
}

const examples = async (): Promise<Flow[]> => {
  const dir = path.join(ROOT, 'flows/examples');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as Flow));
};

describe('the canvas at scale', { timeout: 120_000 }, () => {
  test('every example opens at a readable zoom, with the minimap over none of its handles', async () => {
    let whole = 0;
    // The server seeds a fresh data directory with the examples.
    for (const flow of await examples()) {
      const page = await openFlow(flow.id);
      await withScreenshot(page, `first-screen-${flow.id}`, async () => {
        // A source (nothing feeds it) is in view, whether the example fits whole or opens on its sources.
        const fed = new Set(flow.connections.map((c) => (typeof c.target === 'string' ? c.target : c.target.group)));
        const source = flow.processors.find((p) => !fed.has(p.id));
        if (source) await byTestId(page, `proc-${source.id}`).waitFor();
        expect(await zoomOf(page), flow.id).toBeGreaterThanOrEqual(0.6);
        const handles = await page.locator('.react-flow__handle').evaluateAll((els) =>
          els.map((el) => {
            const r = (el as any).getBoundingClientRect();
            return { x: r.x, y: r.y, width: r.width, height: r.height, id: (el as any).dataset.handleid };
          }),
        );
        expect(handles.length, flow.id).toBeGreaterThan(0);
        const map = page.locator('.react-flow__minimap');
        const minimap = (await map.count()) > 0 ? await map.boundingBox() : null;
        // Folded (one click away) when the example is too large to show whole and runs on under its corner.
        if (!minimap)
          expect(await byTestId(page, 'minimap-toggle').getAttribute('aria-pressed'), flow.id).toBe('false');
        else {
          whole++;
          for (const handle of handles)
            expect(overlap(handle, minimap), `${flow.id}: handle ${handle.id} under the minimap`).toBe(false);
        }
      });
      await page.context().close();
    }
    expect(whole).toBeGreaterThan(0);
  });

  test('a flow too large to read whole opens at a readable zoom on its first source', async () => {
    const flow = { ...largeFlow(200), id: 'scale-e2e-large', name: 'Scale e2e large' };
    await apiJson(server, 'POST', '/flows', flow);
    const page = await openFlow(flow.id);
    await withScreenshot(page, 'first-screen-large', async () => {
      const first = flow.processors
        .filter((p) => p.type === 'GenerateFlowFile')
        .sort((a, b) => a.position!.y - b.position!.y || a.position!.x - b.position!.x)[0]!;
      await byTestId(page, `proc-${first.id}`).waitFor();
      expect(await zoomOf(page)).toBeCloseTo(0.6, 5);
      // Only what is in view is drawn: far fewer cards than the flow has.
      expect(await page.locator('.react-flow__node').count()).toBeLessThan(flow.processors.length / 4);
    });
    await page.context().close();
  });

  test('zoomed out, cards are named boxes without handles or queue labels; zoomed in, full cards again', async () => {
    const flow = (await examples()).find((f) => f.id === 'route-orders')!;
    const page = await openFlow(flow.id);
    await withScreenshot(page, 'level-of-detail', async () => {
      const card = byTestId(page, 'proc-route');
      await page.locator('[data-testid="proc-route"][data-lod="full"]').waitFor();
      await card.locator('.proc-metrics').waitFor();
      expect(await page.locator('.queue-label').count()).toBe(flow.connections.length);

      await setViewport(page, { x: 300, y: 200, zoom: 0.3 });
      await page.locator('[data-testid="proc-route"][data-lod="low"]').waitFor();
      expect(await card.textContent()).toBe('Large EU orders?');
      expect(await card.locator('.proc-metrics').count()).toBe(0);
      const handle = card.locator('.react-flow__handle').first();
      expect(await handle.evaluate((h) => (globalThis as any).getComputedStyle(h).visibility)).toBe('hidden');
      await until('the queue labels to go', async () => (await page.locator('.queue-label').count()) === 0);
      // The connections are still drawn, as lines.
      expect(await page.locator('.react-flow__edge').count()).toBe(flow.connections.length);

      await setViewport(page, { x: 300, y: 100, zoom: 1 });
      await page.locator('[data-testid="proc-route"][data-lod="full"]').waitFor();
      await card.locator('.proc-metrics').waitFor();
      await until('the queue labels to return', async () => (await page.locator('.queue-label').count()) > 0);
    });
    await page.context().close();
  });

  test("two connections between the same processors have labels that don't intersect", async () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'scale-e2e-parallel',
      name: 'Scale e2e parallel',
      processors: [
        { id: 'gen', type: 'GenerateFlowFile', position: { x: 0, y: 0 }, config: {} },
        {
          id: 'tag',
          type: 'UpdateAttribute',
          position: { x: 0, y: 251 },
          config: { attributes: { a: '"1"' } },
        },
        { id: 'log', type: 'LogAttribute', position: { x: 0, y: 502 }, config: {}, autoTerminate: ['success'] },
      ],
      connections: [
        { id: 'gen-tag', source: 'gen', relationships: ['success'], target: 'tag' },
        { id: 'tag-ok', source: 'tag', relationships: ['success'], target: 'log' },
        { id: 'tag-failed', source: 'tag', relationships: ['failure'], target: 'log' },
      ],
    } as Flow;
    await apiJson(server, 'POST', '/flows', flow);
    const page = await openFlow(flow.id);
    await withScreenshot(page, 'parallel-labels', async () => {
      await byTestId(page, 'queue-tag-ok').waitFor();
      await byTestId(page, 'queue-tag-failed').waitFor();
      const a = (await byTestId(page, 'queue-tag-ok').boundingBox())!;
      const b = (await byTestId(page, 'queue-tag-failed').boundingBox())!;
      expect(overlap(a, b), `${JSON.stringify(a)} and ${JSON.stringify(b)}`).toBe(false);
    });
    await page.context().close();
  });

  test('a status tick re-renders only the cards and labels whose figures changed', async () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'scale-e2e-ticks',
      name: 'Scale e2e ticks',
      processors: [
        {
          id: 'busy-gen',
          type: 'GenerateFlowFile',
          position: { x: 0, y: 0 },
          config: { content: 'x' },
          schedule: { period: '300ms' },
        },
        { id: 'busy-log', type: 'LogAttribute', position: { x: 0, y: 251 }, config: {}, autoTerminate: ['success'] },
        { id: 'idle-gen', type: 'GenerateFlowFile', position: { x: 400, y: 0 }, config: {}, disabled: true },
        {
          id: 'idle-log',
          type: 'LogAttribute',
          position: { x: 400, y: 251 },
          config: {},
          autoTerminate: ['success'],
          disabled: true,
        },
      ],
      connections: [
        { id: 'busy', source: 'busy-gen', relationships: ['success'], target: 'busy-log' },
        { id: 'idle', source: 'idle-gen', relationships: ['success'], target: 'idle-log' },
      ],
    } as Flow;
    await apiJson(server, 'POST', '/flows', flow);
    const page = await openFlow(flow.id);
    try {
      await withScreenshot(page, 'status-ticks', async () => {
        await byTestId(page, 'queue-idle').waitFor();
        await apiJson(server, 'POST', `/flows/${flow.id}/start`);
        const out = async () => Number((await byTestId(page, 'proc-out-busy-gen').textContent())?.replace(/\D/g, ''));
        await until('the running source to count FlowFiles out', async () => (await out()) > 0);
        const before = await renders(page);
        // The status comes once a second: wait for the source's count to move on three times.
        let last = await out();
        for (let tick = 0; tick < 3; tick++) {
          const seen = last;
          last = await until('the next status tick', async () => {
            const now = await out();
            return now > seen ? now : 0;
          });
        }
        const after = await renders(page);
        const grew = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
        expect(grew('proc:busy-gen')).toBeGreaterThanOrEqual(3);
        expect(grew('proc:idle-gen')).toBe(0);
        expect(grew('proc:idle-log')).toBe(0);
        expect(grew('queue:idle')).toBe(0);
      });
    } finally {
      await apiJson(server, 'POST', `/flows/${flow.id}/stop`);
      await page.context().close();
    }
  });
});
