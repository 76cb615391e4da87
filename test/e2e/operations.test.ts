/**
 * Daily operation in real Chromium against the real server: the address bar drives the canvas (and back and
 * forward work), the Summary page lists the processors of every flow live, sorts and filters and leads to the
 * canvas, the bulletin board keeps a failing processor's bulletins past its flow's stop, and Ctrl+F finds a
 * processor by a property value inside a group of another flow and opens it selected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

/** Generate → Log, named so that its processors are told apart from another pipe's. */
function pipe(id: string, name: string, period = '50ms'): Flow {
  return {
    schemaVersion: 2,
    id,
    name,
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        name: `${name} source`,
        position: { x: 0, y: 0 },
        config: { content: 'hello', count: 0, batchSize: 1 },
        schedule: { period },
      },
      {
        id: 'log',
        type: 'LogAttribute',
        name: `${name} sink`,
        position: { x: 0, y: 220 },
        config: { logLevel: 'none' },
        autoTerminate: ['success'],
      },
    ],
    connections: [{ id: 'gen-to-log', source: 'gen', relationships: ['success'], target: 'log' }],
  } as Flow;
}

/** Generate → ExecuteScript that warns and then throws: a warn and an error bulletin per batch. */
const failing: Flow = {
  schemaVersion: 2,
  id: 'ops-failing',
  name: 'Ops failing',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      position: { x: 0, y: 0 },
      config: { content: 'x', count: 0, batchSize: 1 },
      schedule: { period: '300ms' },
    },
    {
      id: 'script',
      type: 'ExecuteScript',
      name: 'Flaky script',
      position: { x: 0, y: 220 },
      config: { script: 'log.warn("careful with " + flowFiles.length); throw new Error("boom-e2e");' },
      autoTerminate: ['success', 'failure'],
    },
  ],
  connections: [{ id: 'gen-to-script', source: 'gen', relationships: ['success'], target: 'script' }],
} as Flow;

let nested: Flow;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  for (const flow of [pipe('ops-alpha', 'Ops alpha'), pipe('ops-beta', 'Ops beta', '80ms'), failing])
    await apiJson(server, 'POST', '/flows', flow);
  // The nested example with a property value found nowhere else, two groups deep.
  const example = JSON.parse(await readFile(path.join(ROOT, 'flows/examples/nested-groups.json'), 'utf8')) as Flow;
  nested = { ...example, id: 'ops-nested', name: 'Ops nested' };
  const checks = nested.groups![0]!.groups![0]!;
  checks.processors![0]!.config = { routes: { invalid: '$number(attributes.amount) = 0 and "zebra-needle" = "x"' } };
  await apiJson(server, 'POST', '/flows', nested);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openPage(hash: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/${hash}`);
  return page;
}

const flowName = (page: Page) => byTestId(page, 'flow-name').inputValue({ timeout: 1000 });

/** The page's URL fragment. */
const hashOf = (page: Page) => new URL(page.url()).hash;

describe('the address bar', () => {
  test('a new #/flows/<id> opens that flow without a reload; back returns to the one before', async () => {
    const page = await openPage('#/flows/ops-alpha');
    await withScreenshot(page, 'operations-routing', async () => {
      await until('Ops alpha to open', async () => (await flowName(page)) === 'Ops alpha');
      await byTestId(page, 'proc-gen').waitFor();
      // A marker on the window: a reload would lose it.
      await page.evaluate(() => {
        (globalThis as unknown as { sluiceMarker: number }).sluiceMarker = 42;
      });

      await page.evaluate(() => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = '#/flows/ops-beta';
      });
      await until('Ops beta to open', async () => (await flowName(page)) === 'Ops beta');
      expect(await byTestId(page, 'proc-gen').textContent()).toContain('Ops beta source');

      await page.goBack();
      await until('Ops alpha to open again', async () => (await flowName(page)) === 'Ops alpha');
      expect(hashOf(page)).toBe('#/flows/ops-alpha');
      await page.goForward();
      await until('Ops beta to open again', async () => (await flowName(page)) === 'Ops beta');

      // Picking a flow in the top bar sets the address (a new history entry), and back undoes it.
      await byTestId(page, 'flow-picker').selectOption('ops-nested');
      await until('the address to follow the picker', () => hashOf(page) === '#/flows/ops-nested');
      // Entering a group is part of the address too.
      await byTestId(page, 'group-intake').dblclick();
      await until('the address to name the group', () => hashOf(page) === '#/flows/ops-nested/groups/intake');
      await page.goBack();
      await byTestId(page, 'group-intake').waitFor();
      expect(hashOf(page)).toBe('#/flows/ops-nested');
      await page.goBack();
      await until('Ops beta to open from history', async () => (await flowName(page)) === 'Ops beta');

      expect(await page.evaluate(() => (globalThis as unknown as { sluiceMarker?: number }).sluiceMarker)).toBe(42);
    });
    await page.context().close();
  }, 60_000);
});

/** The centre of an element, in page coordinates. */
async function centreOf(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** The node is selected and the canvas is centred on it. */
async function expectCentredSelection(page: Page, nodeId: string): Promise<void> {
  const node = `.react-flow__node[data-id="${nodeId}"]`;
  await page.locator(`${node}.selected`).waitFor();
  await until(`node "${nodeId}" to be centred`, async () => {
    const [a, b] = await Promise.all([centreOf(page, node), centreOf(page, '.react-flow')]);
    return Math.abs(a.x - b.x) < 30 && Math.abs(a.y - b.y) < 30;
  });
}

/** The number a Summary cell starts with ("1.2k (3 KB)" → 1200). */
function leadingCount(text: string): number {
  const match = /^([\d.]+)(k|M)?/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === 'k' ? 1000 : match[2] === 'M' ? 1_000_000 : 1);
}

const rowOf = (page: Page, table: string, key: string) =>
  page.locator(`[data-testid="${table}-row"][data-key="${key}"]`);
const cellOf = (page: Page, table: string, key: string, col: string) =>
  rowOf(page, table, key).locator(`td[data-col="${col}"]`);
const columnTexts = (page: Page, table: string, col: string) =>
  page.locator(`[data-testid="${table}-row"] td[data-col="${col}"]`).allTextContents();

describe('the Summary page', () => {
  test('lists the processors of every flow with live counts, sorts and filters them, and a row opens the canvas', async () => {
    await apiJson(server, 'POST', '/flows/ops-alpha/start');
    await apiJson(server, 'POST', '/flows/ops-beta/start');
    const page = await openPage('#/summary');
    await withScreenshot(page, 'operations-summary', async () => {
      await byTestId(page, 'summary-page').waitFor();
      const table = 'summary-processors';
      const alphaOut = () => cellOf(page, table, 'ops-alpha/gen', 'out').textContent({ timeout: 1000 });
      await rowOf(page, table, 'ops-beta/gen').waitFor();
      // Live: the count goes up without a reload.
      const first = await until('Ops alpha to have sent FlowFiles', async () => {
        const n = leadingCount((await alphaOut()) ?? '');
        return n > 0 ? n : Number.NaN;
      });
      await until('the count to go up', async () => leadingCount((await alphaOut()) ?? '') > first);
      expect(await cellOf(page, table, 'ops-alpha/gen', 'state').textContent()).toBe('running');
      // A processor inside groups shows its group path.
      expect(await cellOf(page, table, 'ops-nested/intake__checks__validate', 'flow').textContent()).toBe(
        'Ops nested › Intake › Checks',
      );

      // Sorting: by name, then the other way round; by FlowFiles out, as numbers.
      await byTestId(page, `${table}-sort-name`).click();
      const names = await columnTexts(page, table, 'name');
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
      await byTestId(page, `${table}-sort-name`).click();
      const reversed = await columnTexts(page, table, 'name');
      expect(reversed).toEqual([...names].sort((a, b) => b.localeCompare(a)));
      await byTestId(page, `${table}-sort-out`).click();
      await byTestId(page, `${table}-sort-out`).click();
      const outs = (await columnTexts(page, table, 'out')).map(leadingCount);
      expect(outs[0]).toBeGreaterThan(0);
      for (let i = 1; i < outs.length; i++) expect(outs[i]!).toBeLessThanOrEqual(outs[i - 1]! * 1.1 + 1);

      // Filtering: by text, then by flow.
      await byTestId(page, 'summary-filter').fill('ops beta');
      await until('only Ops beta rows', async () => {
        const flows = await columnTexts(page, table, 'flow');
        return flows.length === 2 && flows.every((f) => f === 'Ops beta');
      });
      await byTestId(page, 'summary-filter').fill('');
      await byTestId(page, 'summary-flow-filter').selectOption('ops-nested');
      await until('only Ops nested rows', async () => {
        const flows = await columnTexts(page, table, 'flow');
        return flows.length > 2 && flows.every((f) => f.startsWith('Ops nested'));
      });
      await byTestId(page, 'summary-flow-filter').selectOption('');

      // The connections: what is queued and where.
      await byTestId(page, 'summary-tab-connections').click();
      await rowOf(page, 'summary-connections', 'ops-beta/gen-to-log').waitFor();
      expect(await cellOf(page, 'summary-connections', 'ops-beta/gen-to-log', 'path').textContent()).toBe(
        'Ops beta source → Ops beta sink',
      );
      await byTestId(page, 'summary-tab-processors').click();

      // A row opens the canvas at its processor, selected and centred; back returns to the Summary.
      await rowOf(page, table, 'ops-beta/log').click();
      await until('Ops beta to open', async () => (await flowName(page)) === 'Ops beta');
      expect(hashOf(page)).toBe('#/flows/ops-beta');
      await expectCentredSelection(page, 'log');
      await byTestId(page, 'processor-panel').waitFor();
      await page.goBack();
      await byTestId(page, 'summary-page').waitFor();
    });
    await apiJson(server, 'POST', '/flows/ops-alpha/stop');
    await apiJson(server, 'POST', '/flows/ops-beta/stop');
    await page.context().close();
  }, 90_000);
});

describe('the bulletin board', () => {
  test('shows a failing processor’s bulletins, filters by level, and keeps them after the flow stops', async () => {
    await apiJson(server, 'POST', '/flows/ops-failing/start');
    const page = await openPage('#/bulletins');
    await withScreenshot(page, 'operations-bulletins', async () => {
      await byTestId(page, 'bulletins-page').waitFor();
      const rows = (level?: string) =>
        page.locator(`[data-testid="bulletin-row"][data-flow="ops-failing"]${level ? `[data-level="${level}"]` : ''}`);
      await rows('error').first().waitFor();
      await rows('warn').first().waitFor();
      expect(await rows('error').first().textContent()).toContain('boom-e2e');
      expect(await rows('error').first().textContent()).toContain('Flaky script');

      await byTestId(page, 'bulletin-level-filter').selectOption('warn');
      await until('only warnings', async () => {
        const levels = await page
          .locator('[data-testid="bulletin-row"]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-level')));
        return levels.length > 0 && levels.every((l) => l === 'warn');
      });

      await apiJson(server, 'POST', '/flows/ops-failing/stop');
      const shown = await rows().count();
      // After the stop, and from the server anew (a reload), the bulletins are still on the board.
      await page.reload();
      await byTestId(page, 'bulletins-page').waitFor();
      await rows('error').first().waitFor();
      expect(await rows().count()).toBeGreaterThanOrEqual(shown);
      await byTestId(page, 'bulletin-flow-filter').selectOption('ops-alpha');
      await byTestId(page, 'bulletins-empty').waitFor();
      await byTestId(page, 'bulletin-flow-filter').selectOption('ops-failing');
      await rows('error').first().waitFor();

      // The processor of a bulletin opens on the canvas, selected.
      await rows('error').first().locator('[data-testid="bulletin-processor"]').click();
      await until('Ops failing to open', async () => (await flowName(page)) === 'Ops failing');
      await expectCentredSelection(page, 'script');
    });
    await page.context().close();
  }, 90_000);
});

describe('search across flows', () => {
  test('Ctrl+F finds a processor by a property value inside a group of another flow; Enter opens it selected', async () => {
    const page = await openPage('#/flows/ops-alpha');
    await withScreenshot(page, 'operations-search', async () => {
      await until('Ops alpha to open', async () => (await flowName(page)) === 'Ops alpha');
      await byTestId(page, 'proc-gen').waitFor();
      await page.locator('.react-flow__pane').click();
      await page.keyboard.press('Control+f');
      await byTestId(page, 'search-dialog').waitFor();

      // Results grouped by flow; the arrow keys move the mark, Escape closes.
      await page.keyboard.type('source');
      await byTestId(page, 'search-flow-ops-beta').waitFor();
      await byTestId(page, 'search-flow-ops-alpha').waitFor();
      const hits = page.locator('[data-testid="search-hit"]');
      await until('the first result to be marked', async () =>
        (await hits.first().getAttribute('class'))?.includes('active'),
      );
      await page.keyboard.press('ArrowDown');
      expect(await hits.nth(1).getAttribute('aria-selected')).toBe('true');
      await page.keyboard.press('Escape');
      await byTestId(page, 'search-dialog').waitFor({ state: 'detached' });

      await page.locator('.react-flow__pane').click();
      await page.keyboard.press('Control+f');
      await page.keyboard.type('zebra-needle');
      const hit = page.locator('[data-testid="search-hit"][data-id="intake__checks__validate"]');
      await hit.waitFor();
      expect(await hits.count()).toBe(1);
      expect(await hit.textContent()).toContain('in Intake › Checks');
      expect(await hit.textContent()).toContain('zebra-needle');
      await page.keyboard.press('Enter');

      await until('Ops nested to open', async () => (await flowName(page)) === 'Ops nested');
      await until('the group level to show', async () =>
        (await byTestId(page, 'breadcrumbs').textContent())?.includes('Ops nested › Intake › Checks'),
      );
      expect(hashOf(page)).toBe('#/flows/ops-nested/groups/intake/checks');
      await expectCentredSelection(page, 'validate');
    });
    await page.context().close();
  }, 60_000);
});
