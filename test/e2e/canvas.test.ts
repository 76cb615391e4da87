/**
 * The canvas in real Chromium against the real server: build and run a flow with the mouse, import/export,
 * live backpressure, an invalid config, and a FlowFile's lineage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import {
  apiJson,
  byTestId,
  dragBetween,
  ensureUiBuilt,
  launchChromium,
  type SluiceProcess,
  startSluice,
  textOf,
  until,
  withScreenshot,
} from './harness';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const readFixture = async (name: string) => JSON.parse(await readFile(fixture(name), 'utf8')) as Flow;
const count = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

let server: SluiceProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openApp(hash = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/${hash}`);
  await byTestId(page, 'palette-GenerateFlowFile').waitFor();
  return page;
}

/**
 * Imports a fixture through the top bar's file input, or by dropping the file on the canvas, and waits until its
 * processors are on the canvas.
 */
async function importFixture(page: Page, name: string, how: 'file input' | 'drop' = 'file input'): Promise<Flow> {
  const flow = await readFixture(name);
  if (how === 'file input') await byTestId(page, 'import-file').setInputFiles(fixture(name));
  else {
    const text = await readFile(fixture(name), 'utf8');
    await page.locator('.react-flow').evaluate(
      (el, [fileName, content]) => {
        // Runs in the page: the test's own TypeScript has no DOM types, so the browser globals are looked up.
        const dom = globalThis as any;
        const data = new dom.DataTransfer();
        data.items.add(new dom.File([content], fileName, { type: 'application/json' }));
        for (const type of ['dragover', 'drop'])
          el.dispatchEvent(new dom.DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      [name, text],
    );
  }
  await until(`flow "${flow.id}" to open`, async () => (await byTestId(page, 'flow-name').inputValue()) === flow.name);
  for (const p of flow.processors) await byTestId(page, `proc-${p.id}`).waitFor();
  return flow;
}

async function selectNode(page: Page, id: string): Promise<void> {
  await page.locator(`.react-flow__node[data-id="${id}"] .proc-title`).click();
  await byTestId(page, 'processor-panel').waitFor();
}

/** Where an edge's drawn path starts, in page coordinates. */
function edgeStart(page: Page, id: string): Promise<{ x: number; y: number }> {
  return page.locator(`.react-flow__edge[data-id="${id}"] path.react-flow__edge-path`).evaluate((path) => {
    // Runs in the page (SVGPathElement): its first point mapped through the SVG's transform to the screen.
    const svg = path as unknown as {
      getPointAtLength(l: number): { x: number; y: number };
      getScreenCTM(): { a: number; d: number; e: number; f: number };
    };
    const point = svg.getPointAtLength(0);
    const m = svg.getScreenCTM();
    return { x: point.x * m.a + m.e, y: point.y * m.d + m.f };
  });
}

async function waitSaved(page: Page): Promise<void> {
  await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
}

// Generous limits: the suite shares two cores with the rest of `npm test`; every wait is for a condition.
describe('the canvas in Chromium', { timeout: 60_000 }, () => {
  test('drag two processors from the palette, connect them, start the flow and watch it run', async () => {
    const page = await openApp();
    await withScreenshot(page, 'build-and-run', async () => {
      await byTestId(page, 'new-flow').click();
      await byTestId(page, 'new-flow-name').fill('Built by hand');
      await byTestId(page, 'new-flow-create').click();
      await until(
        'the new flow to open',
        async () => (await byTestId(page, 'flow-name').inputValue()) === 'Built by hand',
      );

      const canvas = byTestId(page, 'canvas');
      const box = (await canvas.boundingBox())!;
      await byTestId(page, 'palette-GenerateFlowFile').dragTo(canvas, { targetPosition: { x: box.width / 2, y: 150 } });
      await byTestId(page, 'proc-generate-flow-file').waitFor();
      await byTestId(page, 'palette-LogAttribute').dragTo(canvas, { targetPosition: { x: box.width / 2, y: 450 } });
      await byTestId(page, 'proc-log-attribute').waitFor();

      // Connect GenerateFlowFile's "success" handle to LogAttribute: dropped anywhere on the card, not only on
      // its input handle.
      await dragBetween(
        page,
        byTestId(page, 'handle-generate-flow-file-success'),
        byTestId(page, 'proc-log-attribute'),
      );
      const edge = 'generate-flow-file-success-log-attribute';
      await byTestId(page, `queue-${edge}`).waitFor();

      // Undo and redo the connection; copy, paste and delete a processor, all from the keyboard.
      await page.keyboard.press('Control+z');
      await byTestId(page, `queue-${edge}`).waitFor({ state: 'detached' });
      await page.keyboard.press('Control+Shift+z');
      await byTestId(page, `queue-${edge}`).waitFor();
      await selectNode(page, 'generate-flow-file');
      await page.keyboard.press('Control+c');
      await page.keyboard.press('Control+v');
      await byTestId(page, 'proc-generate-flow-file-2').waitFor();
      await page.keyboard.press('Delete');
      await byTestId(page, 'proc-generate-flow-file-2').waitFor({ state: 'detached' });
      expect(await page.locator('.react-flow__node').count()).toBe(2);

      // The sink's "success" is neither connected nor auto-terminated yet: the flow is invalid and not saved.
      await page.locator('[data-testid="save-status"][data-status="invalid"]').waitFor();
      expect(await byTestId(page, 'flow-start').isDisabled()).toBe(true);

      // Generate 200 FlowFiles, 10 per trigger, through the generated config form.
      await selectNode(page, 'generate-flow-file');
      await byTestId(page, 'field-config-batchSize').fill('10');
      await byTestId(page, 'field-config-count').fill('200');
      await byTestId(page, 'field-config-count').press('Enter');

      // Auto-terminate the sink's success, and keep it stopped so the queue fills first.
      await selectNode(page, 'log-attribute');
      await byTestId(page, 'autoterminate-success').check();
      await waitSaved(page);
      await byTestId(page, 'processor-hold').click();
      await page.getByText('Kept stopped').waitFor();

      await byTestId(page, 'flow-start').click();
      await textOf(page, 'flow-state', 'the flow to run', (t) => t.includes('Running'));
      await textOf(page, `queue-count-${edge}`, 'the queue label to show 200 waiting', (t) => count(t) === 200);
      await textOf(page, 'proc-out-generate-flow-file', 'the source to count 200 out', (t) => count(t) === 200);
      expect(count(await byTestId(page, 'proc-in-log-attribute').textContent())).toBe(0);

      // Start the sink: the queue drains and its counters follow.
      await byTestId(page, 'processor-start').click();
      await textOf(page, 'proc-in-log-attribute', 'the sink to count 200 in', (t) => count(t) === 200);
      await textOf(page, `queue-count-${edge}`, 'the queue to drain', (t) => count(t) === 0);

      // What the canvas shows is what the server runs.
      const saved = await apiJson<Flow>(server, 'GET', '/flows/built-by-hand');
      expect(saved.connections).toEqual([
        { id: edge, source: 'generate-flow-file', relationships: ['success'], target: 'log-attribute' },
      ]);
      expect(saved.processors.map((p) => p.type)).toEqual(['GenerateFlowFile', 'LogAttribute']);

      // With nothing selected the panel shows the flow, which can be deleted (after a confirmation).
      await page.locator('.react-flow__pane').click({ position: { x: 60, y: 300 } });
      await byTestId(page, 'flow-delete').click();
      await byTestId(page, 'confirm').click();
      await until('the flow to be gone from the picker', async () => {
        const options = await byTestId(page, 'flow-picker').locator('option').allTextContents();
        return !options.some((o) => o.startsWith('Built by hand'));
      });
      expect((await fetch(`${server.url}/api/flows/built-by-hand`)).status).toBe(404);
      expect(await byTestId(page, 'flow-name').inputValue()).not.toBe('Built by hand');
    });
  });

  test('import a flow from a file, see every node and edge, and export an equal flow', async () => {
    const page = await openApp();
    await withScreenshot(page, 'import-export', async () => {
      // A refused file is listed problem by problem, each with its JSON path, and nothing is imported.
      await byTestId(page, 'import-file').setInputFiles(fixture('invalid.json'));
      await textOf(page, 'problems-list', 'the import problems', (t) =>
        t.includes('/connections/0/backPressure/objects'),
      );
      await byTestId(page, 'problems-close').click();
      expect((await apiJson<{ id: string }[]>(server, 'GET', '/flows')).map((f) => f.id)).not.toContain('e2e-refused');

      const flow = await importFixture(page, 'import-export.json');
      expect(await page.locator('.react-flow__node').count()).toBe(flow.processors.length);
      for (const c of flow.connections) await byTestId(page, `queue-${c.id}`).waitFor();
      expect(await page.locator('.react-flow__edge').count()).toBe(flow.connections.length);
      expect(await byTestId(page, 'queue-route-rest').textContent()).toContain('unmatched, failure');
      // The router's handles come from its config: one per route plus unmatched and failure.
      for (const rel of ['eu', 'unmatched', 'failure']) await byTestId(page, `handle-route-${rel}`).waitFor();
      // Those handles arrive after the first drawing: each edge must still leave from its own relationship's
      // handle ("route-rest" from its first one, unmatched), not from where the handles first stood.
      for (const [edge, rel] of [
        ['route-eu', 'eu'],
        ['route-rest', 'unmatched'],
      ] as const)
        await until(`edge ${edge} to leave from the ${rel} handle`, async () => {
          const handle = (await byTestId(page, `handle-route-${rel}`).boundingBox())!;
          const start = await edgeStart(page, edge);
          return (
            Math.abs(start.x - (handle.x + handle.width / 2)) < 3 && Math.abs(start.y - handle.y) < handle.height + 3
          );
        });

      const download = page.waitForEvent('download');
      await byTestId(page, 'export').click();
      const file = await (await download).path();
      // The server writes the current format version; nothing else changes.
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ ...flow, schemaVersion: 2 });
    });
  });

  test('a connection at its threshold of 50 shows 50 and "backpressured", and its source stops', async () => {
    const page = await openApp();
    await withScreenshot(page, 'backpressure', async () => {
      await importFixture(page, 'backpressure.json');
      await selectNode(page, 'sink');
      await byTestId(page, 'processor-hold').click();
      await page.getByText('Kept stopped').waitFor();
      await byTestId(page, 'flow-start').click();

      await textOf(page, 'queue-count-gen-sink', 'the queue to reach 50', (t) => count(t) === 50);
      await byTestId(page, 'queue-bp-gen-sink').waitFor();
      // The source is no longer scheduled: its node reports time blocked by backpressure and no more output.
      await textOf(page, 'proc-activity-gen', 'the source to be held back', (t) => t.includes('backpressured'));
      expect(count(await byTestId(page, 'proc-out-gen').textContent())).toBe(50);
      expect(count(await byTestId(page, 'queue-count-gen-sink').textContent())).toBe(50);
      expect(await byTestId(page, 'proc-sink').getAttribute('data-state')).toBe('stopped');

      const status = await apiJson<{ connections: Record<string, { count: number; backPressured: boolean }> }>(
        server,
        'GET',
        '/flows/e2e-backpressure/status',
      );
      expect(status.connections['gen-sink']).toMatchObject({ count: 50, backPressured: true });
      await byTestId(page, 'flow-stop').click();
      await textOf(page, 'flow-state', 'the flow to stop', (t) => t.includes('Stopped'));

      // The queue inspector lists the 50, shows one's JSON content pretty-printed, and empties the queue.
      await byTestId(page, 'queue-gen-sink').click();
      await until(
        'the 50 waiting FlowFiles to be listed',
        async () => (await byTestId(page, 'queue-row').count()) === 50,
      );
      await byTestId(page, 'queue-row').first().click();
      const content = byTestId(page, 'flowfile-content');
      await content.waitFor();
      expect(await content.getAttribute('data-kind')).toBe('json');
      expect(await content.textContent()).toBe('{\n  "tick": 1,\n  "of": "endless"\n}');
      await byTestId(page, 'empty-queue').click();
      await byTestId(page, 'confirm').click();
      await page.getByText('Dropped 50 FlowFiles from the queue.').waitFor();
      await textOf(page, 'queue-count-gen-sink', 'the queue label to show it empty', (t) => count(t) === 0);
      const drops = await apiJson<unknown[]>(server, 'GET', '/provenance?flowId=e2e-backpressure&type=DROP&limit=1000');
      expect(drops).toHaveLength(50);
    });
  });

  test('a broken config value is shown on its field, marks the node invalid and keeps the flow from starting', async () => {
    const flow = { ...(await readFixture('backpressure.json')), id: 'e2e-invalid', name: 'Invalid config' };
    await apiJson(server, 'POST', '/flows', flow);
    const page = await openApp('#/flows/e2e-invalid');
    await withScreenshot(page, 'invalid-config', async () => {
      await byTestId(page, 'proc-gen').waitFor();
      await selectNode(page, 'gen');
      await byTestId(page, 'field-config-batchSize').fill('0');
      await byTestId(page, 'field-config-batchSize').press('Enter');

      await textOf(page, 'error-config-batchSize', 'the field to show the error', (t) => t.includes('must be >= 1'));
      await page.locator('[data-testid="proc-gen"][data-state="invalid"]').waitFor();
      expect(await byTestId(page, 'proc-state-gen').getAttribute('title')).toContain('/config/batchSize');
      await textOf(page, 'save-status', 'the indicator to say why it is not saved', (t) => t.includes('1 problem'));
      expect(await byTestId(page, 'flow-start').isDisabled()).toBe(true);
      // The server stores the invalid definition too (it cannot start: it has no engine), with its issue.
      const stored = await until('the server to hold the invalid definition', async () => {
        const f = await apiJson<Flow>(server, 'GET', '/flows/e2e-invalid');
        return f.processors[0]!.config?.batchSize === 0 ? f : undefined;
      });
      expect(stored!.processors[0]!.config).toMatchObject({ batchSize: 0 });
      const status = await apiJson<{ state: string }>(server, 'GET', '/flows/e2e-invalid/status');
      expect(status.state).toBe('invalid');

      // Fixing the value saves the flow and lets it start.
      await byTestId(page, 'field-config-batchSize').fill('5');
      await byTestId(page, 'field-config-batchSize').press('Enter');
      await waitSaved(page);
      expect(await byTestId(page, 'error-config-batchSize').count()).toBe(0);
      expect(await byTestId(page, 'flow-start').isEnabled()).toBe(true);
      const fixed = await apiJson<Flow>(server, 'GET', '/flows/e2e-invalid');
      expect(fixed.processors[0]!.config).toMatchObject({ batchSize: 5 });
    });
  });

  test('the lineage of a cloned FlowFile shows its parent and its child', async () => {
    const page = await openApp();
    await withScreenshot(page, 'lineage', async () => {
      await importFixture(page, 'fan-out.json', 'drop');
      await byTestId(page, 'flow-start').click();
      await textOf(page, 'proc-in-audit', 'the audit sink to receive 3', (t) => count(t) === 3);
      await textOf(page, 'proc-in-archive', 'the archive sink to receive 3', (t) => count(t) === 3);

      await byTestId(page, 'open-provenance').click();
      await byTestId(page, 'prov-type').selectOption('CLONE');
      await byTestId(page, 'prov-submit').click();
      const cloneRow = page.locator('[data-testid="provenance-row"][data-type="CLONE"]').first();
      await cloneRow.waitFor();
      // The unfiltered list shown when the drawer opened has CLONE rows too: wait for the filtered answer.
      const others = page.locator('[data-testid="provenance-row"]:not([data-type="CLONE"])');
      await others.first().waitFor({ state: 'detached' });
      expect(await others.count()).toBe(0);
      const parent = (await cloneRow.getAttribute('data-flowfile'))!;
      await cloneRow.getByRole('button', { name: 'Lineage' }).click();

      await byTestId(page, 'lineage-dialog').waitFor();
      const clone = page.locator('[data-testid^="lineage-node-"][data-type="CLONE"]');
      await clone.waitFor();
      await clone.click();
      const child = (await byTestId(page, 'event-children').textContent())?.trim();
      expect(child).toBeTruthy();
      expect(child).not.toBe(parent);

      const nodes = page.locator('[data-testid^="lineage-node-"]');
      const seen = await nodes.evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-type'), e.getAttribute('data-flowfile')]),
      );
      // The parent was created, cloned and dropped by one sink; its child was dropped by the other.
      expect(seen).toContainEqual(['CREATE', parent]);
      expect(seen).toContainEqual(['CLONE', parent]);
      expect(seen).toContainEqual(['DROP', parent]);
      expect(seen).toContainEqual(['DROP', child]);
      // Drawn as a graph: an edge from the CLONE to the child's first event.
      expect(await page.locator('.react-flow__edge.animated').count()).toBeGreaterThan(0);
    });
  });
});

describe('a server started with --token', { timeout: 60_000 }, () => {
  let secured: SluiceProcess;
  beforeAll(async () => {
    secured = await startSluice(['--token', 'e2e-secret']);
  });
  afterAll(async () => {
    await secured?.stop();
  });

  test('the canvas asks for the token, refuses a wrong one, then loads and goes live', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await withScreenshot(page, 'token-prompt', async () => {
      await page.goto(secured.url);
      await byTestId(page, 'token-prompt').waitFor();
      await byTestId(page, 'token-input').fill('not-the-token');
      await byTestId(page, 'token-submit').click();
      await byTestId(page, 'token-rejected').waitFor();
      await byTestId(page, 'token-input').fill('e2e-secret');
      await byTestId(page, 'token-submit').click();
      await byTestId(page, 'palette-GenerateFlowFile').waitFor();
      expect(await byTestId(page, 'token-prompt').count()).toBe(0);
      // The example flows load and the status stream (token in the query) connects.
      await page.locator('.react-flow__node').first().waitFor();
      await textOf(page, 'live', 'the event stream to connect', (t) => t === '◉');
    });
  });
});
