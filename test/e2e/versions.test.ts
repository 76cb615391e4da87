/**
 * Flow versions in real Chromium against the real server: a change made on the canvas is a version; the
 * Versions panel lists it, compares the previous version with the current flow (the changed processor outlined
 * amber on the canvas, the changed property listed in the panel), and reverts to it after a confirm.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import {
  ARTIFACTS,
  apiJson,
  byTestId,
  ensureUiBuilt,
  launchChromium,
  type SluiceProcess,
  startSluice,
  textOf,
  until,
  withScreenshot,
} from './harness';

let server: SluiceProcess;
let browser: Browser;

const FLOW = {
  schemaVersion: 2,
  id: 'versions-e2e',
  name: 'Versions e2e',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: 'hi', count: 1, batchSize: 20 },
    },
    {
      id: 'log',
      type: 'LogAttribute',
      name: 'Log',
      position: { x: 0, y: 260 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    },
  ],
  connections: [{ id: 'gen-to-log', source: 'gen', relationships: ['success'], target: 'log' }],
};

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  await apiJson(server, 'POST', '/flows', FLOW);
  await mkdir(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openFlowPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/#/flows/${FLOW.id}`);
  await byTestId(page, 'proc-gen').waitFor();
  return page;
}

const batchSize = async () =>
  (await apiJson<Flow>(server, 'GET', `/flows/${FLOW.id}`)).processors.find((p) => p.id === 'gen')!.config?.batchSize;

describe('the Versions panel', { timeout: 90_000 }, () => {
  test('change on the canvas, compare with the previous version (amber, listed), revert', async () => {
    const page = await openFlowPage();
    await withScreenshot(page, 'versions', async () => {
      await page.locator('.react-flow__node[data-id="gen"] .proc-title').click();
      await byTestId(page, 'processor-panel').waitFor();
      await byTestId(page, 'field-config-batchSize').fill('50');
      await byTestId(page, 'field-config-batchSize').press('Enter');
      await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
      await until('the server to hold the change', async () => (await batchSize()) === 50);

      await byTestId(page, 'open-versions').click();
      await byTestId(page, 'versions-panel').waitFor();
      const rows = page.locator('[data-testid="version-row"]');
      await until('two versions listed', async () => (await rows.count()) === 2);
      expect(await rows.nth(1).textContent()).toContain('Save Versions e2e');

      await rows.nth(1).click();
      await byTestId(page, 'versions-compare').click();
      const item = byTestId(page, 'diff-item-processor-gen');
      await textOf(page, 'diff-item-processor-gen', 'the change to be listed', (t) =>
        t.includes('config.batchSize: 20 → 50'),
      );
      expect(await item.getAttribute('data-change')).toBe('changed');
      const mark = byTestId(page, 'diff-mark-gen');
      await mark.waitFor();
      expect(await mark.getAttribute('data-mark')).toBe('changed');
      // Amber: the theme's warning colour, on the outline drawn around the processor card.
      const [border, warn] = await mark.evaluate((el) => {
        // Runs in the page (this tsconfig has no DOM types).
        const page = globalThis as unknown as {
          getComputedStyle(e: unknown): { borderTopColor: string; getPropertyValue(name: string): string };
          document: { documentElement: unknown };
        };
        return [
          page.getComputedStyle(el).borderTopColor,
          page.getComputedStyle(page.document.documentElement).getPropertyValue('--warn').trim(),
        ];
      });
      expect(border).toBe(hexToRgb(warn));
      expect(await mark.getAttribute('title')).toContain('config.batchSize: 20 → 50');
      // The outline sits on the card.
      const [cardBox, markBox] = await Promise.all([byTestId(page, 'proc-gen').boundingBox(), mark.boundingBox()]);
      expect(markBox!.x).toBeLessThan(cardBox!.x);
      expect(markBox!.x + markBox!.width).toBeGreaterThan(cardBox!.x + cardBox!.width);
      expect(await byTestId(page, 'diff-mark-log').count()).toBe(0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'versions-compare.png') });

      await byTestId(page, 'versions-revert').click();
      await byTestId(page, 'confirm-dialog').waitFor();
      await byTestId(page, 'confirm').click();
      await until('the flow to be back at batchSize 20', async () => (await batchSize()) === 20);
      await until('the revert to be listed as the newest version', async () =>
        ((await rows.first().textContent()) ?? '').includes('Revert to'),
      );
      expect(await rows.count()).toBe(3);
      expect(await byTestId(page, 'diff-mark-gen').count()).toBe(0);
      // The canvas shows the reverted flow.
      await page.locator('.react-flow__node[data-id="gen"] .proc-title').click();
      await until(
        'the form to show 20',
        async () => (await byTestId(page, 'field-config-batchSize').inputValue()) === '20',
      );
    });
    await page.context().close();
  });
});

describe('the diff on the canvas', { timeout: 90_000 }, () => {
  test('a removed processor is a red ghost at its old position, an added one outlined green', async () => {
    const id = 'versions-e2e-ghost';
    await apiJson(server, 'POST', '/flows', { ...FLOW, id, name: 'Ghosts' });
    const sink = { ...FLOW.processors[1]!, id: 'sink', name: 'Sink', position: { x: 400, y: 260 } };
    await apiJson(server, 'PUT', `/flows/${id}`, {
      ...FLOW,
      id,
      name: 'Ghosts',
      processors: [FLOW.processors[0]!, sink],
      connections: [{ id: 'gen-to-sink', source: 'gen', relationships: ['success'], target: 'sink' }],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/#/flows/${id}`);
    await byTestId(page, 'proc-sink').waitFor();
    await withScreenshot(page, 'versions-ghost', async () => {
      await byTestId(page, 'open-versions').click();
      const rows = page.locator('[data-testid="version-row"]');
      await until('two versions listed', async () => (await rows.count()) === 2);
      await rows.nth(1).click();
      await byTestId(page, 'versions-compare').click();
      const ghost = byTestId(page, 'diff-ghost-log');
      await ghost.waitFor();
      expect(await ghost.textContent()).toContain('Log');
      expect(await byTestId(page, 'diff-mark-sink').getAttribute('data-mark')).toBe('added');
      expect(await byTestId(page, 'diff-item-processor-log').getAttribute('data-change')).toBe('removed');
      expect(await byTestId(page, 'diff-item-connection-gen-to-sink').getAttribute('data-change')).toBe('added');
      // The ghost stands where "log" was: below "gen" (y 260 against 0), left of "sink" (x 0 against 400).
      const [genBox, ghostBox, sinkBox] = await Promise.all([
        byTestId(page, 'proc-gen').boundingBox(),
        ghost.boundingBox(),
        byTestId(page, 'proc-sink').boundingBox(),
      ]);
      expect(ghostBox!.y).toBeGreaterThan(genBox!.y + genBox!.height / 2);
      expect(ghostBox!.x).toBeLessThan(sinkBox!.x);
      expect(Math.abs(ghostBox!.x - genBox!.x)).toBeLessThan(20);
      await byTestId(page, 'versions-clear-diff').click();
      await ghost.waitFor({ state: 'detached' });
    });
    await context.close();
  });
});

function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
