/**
 * Measured polish of the panels and drawers in real Chromium: a relationship checkbox keeps its size beside a
 * long description, auto-terminated relationship names are readable (WCAG AA), the flow's problem count reads
 * as English, the bottom drawer resizes by its top edge (mouse and keyboard) and remembers its height, and a
 * lineage node's event type does not cover its time.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import { contrastRatio } from './contrast';
import {
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

/** Generate → UpdateAttribute → DetectDuplicate (long relationship descriptions, all auto-terminated). */
const FLOW = {
  schemaVersion: 2,
  id: 'polish',
  name: 'Polish',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 200, y: 40 },
      config: { content: 'x', count: 2, batchSize: 1 },
      schedule: { period: '10ms' },
    },
    {
      id: 'tag',
      type: 'UpdateAttribute',
      name: 'Tag',
      position: { x: 200, y: 260 },
      config: { attributes: { region: '"eu"' } },
      autoTerminate: ['failure'],
    },
    {
      id: 'dedupe',
      type: 'DetectDuplicate',
      name: 'Dedupe',
      position: { x: 200, y: 480 },
      config: { key: 'attributes.uuid' },
      autoTerminate: ['non-duplicate', 'duplicate', 'failure'],
    },
  ],
  connections: [
    { id: 'gen-tag', source: 'gen', relationships: ['success'], target: 'tag' },
    { id: 'tag-dedupe', source: 'tag', relationships: ['success'], target: 'dedupe' },
  ],
} as unknown as Flow;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  await apiJson(server, 'POST', '/flows', FLOW);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openFlow(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/#/flows/${FLOW.id}`);
  await byTestId(page, 'proc-dedupe').waitFor();
  return page;
}

const selectNode = async (page: Page, id: string) => {
  await page.locator(`.react-flow__node[data-id="${id}"] .proc-title`).click();
  await byTestId(page, 'processor-panel').waitFor();
};

/** The element's text colour and the first opaque background behind it, as getComputedStyle gives them. */
function colours(el: Locator): Promise<{ fg: string; bg: string }> {
  return el.evaluate((node) => {
    // Runs in the page: the test's own TypeScript has no DOM types.
    const dom = globalThis as any;
    const fg = dom.getComputedStyle(node).color as string;
    let at = node as any;
    for (; at; at = at.parentElement) {
      const bg = dom.getComputedStyle(at).backgroundColor as string;
      if (bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) return { fg, bg };
    }
    return { fg, bg: 'rgb(255, 255, 255)' };
  });
}

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('panel and drawer polish', { timeout: 90_000 }, () => {
  test('a relationship checkbox keeps its size beside a description that wraps', async () => {
    const page = await openFlow();
    await withScreenshot(page, 'polish-checkbox', async () => {
      await selectNode(page, 'dedupe');
      const box = byTestId(page, 'autoterminate-duplicate');
      const label = box.locator('xpath=ancestor::label[1]');
      // The description does wrap: the label is more than one line high.
      const line = Number.parseFloat(await label.evaluate((l) => (globalThis as any).getComputedStyle(l).lineHeight));
      expect((await label.boundingBox())!.height).toBeGreaterThan(line * 1.5);
      const size = (await box.boundingBox())!;
      expect(size.width).toBeGreaterThanOrEqual(12);
      expect(size.height).toBeGreaterThanOrEqual(12);
    });
  });

  test('auto-terminated relationship names read at 4.5:1 or more', async () => {
    const page = await openFlow();
    await withScreenshot(page, 'polish-contrast', async () => {
      const names = page.locator('.react-flow__node[data-id="dedupe"] .rel.terminated');
      expect(await names.count()).toBe(3);
      const { fg, bg } = await colours(names.first());
      expect(contrastRatio(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    });
  });

  test('the problem count agrees with its verb', async () => {
    const page = await openFlow();
    await withScreenshot(page, 'polish-grammar', async () => {
      await selectNode(page, 'gen');
      await byTestId(page, 'field-config-batchSize').fill('0');
      await byTestId(page, 'field-config-batchSize').press('Enter');
      await page.locator('.react-flow__pane').click({ position: { x: 40, y: 300 } });
      await textOf(page, 'flow-issues', 'one problem', (t) => t.includes('1 problem keeps this flow from starting'));

      await selectNode(page, 'gen');
      await byTestId(page, 'field-config-count').fill('-1');
      await byTestId(page, 'field-config-count').press('Enter');
      await page.locator('.react-flow__pane').click({ position: { x: 40, y: 300 } });
      await textOf(page, 'flow-issues', 'two problems', (t) => t.includes('2 problems keep this flow from starting'));

      // Put it right again for the other tests.
      await selectNode(page, 'gen');
      await byTestId(page, 'field-config-count').fill('2');
      await byTestId(page, 'field-config-batchSize').fill('1');
      await byTestId(page, 'field-config-batchSize').press('Enter');
      await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
    });
  });

  test('the drawer resizes by its top edge, by mouse and keyboard, within bounds, and keeps its height', async () => {
    const page = await openFlow();
    await withScreenshot(page, 'polish-drawer', async () => {
      await byTestId(page, 'open-provenance').click();
      const drawer = byTestId(page, 'drawer-provenance');
      await drawer.waitFor();
      const handle = byTestId(page, 'drawer-resize');
      const height = async () => (await drawer.boundingBox())!.height;
      const before = await height();

      // Dragged up by 150 px: 150 px taller.
      const h = (await handle.boundingBox())!;
      await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
      await page.mouse.down();
      await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2 - 75, { steps: 4 });
      await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2 - 150, { steps: 4 });
      await page.mouse.up();
      expect(Math.abs((await height()) - (before + 150))).toBeLessThanOrEqual(2);

      // The keyboard: focusable, ArrowDown shrinks, ArrowUp grows, by the same step.
      await handle.focus();
      const dragged = await height();
      await page.keyboard.press('ArrowDown');
      const shrunk = await height();
      expect(shrunk).toBeLessThan(dragged);
      await page.keyboard.press('ArrowUp');
      expect(Math.abs((await height()) - dragged)).toBeLessThanOrEqual(1);
      expect(await handle.getAttribute('role')).toBe('separator');

      // Bounded: far up stops below the top bar, far down keeps a usable drawer.
      const top = (await handle.boundingBox())!;
      await page.mouse.move(top.x + 40, top.y + top.height / 2);
      await page.mouse.down();
      await page.mouse.move(top.x + 40, 0, { steps: 6 });
      await page.mouse.up();
      const tallest = await height();
      expect(tallest).toBeLessThan(900 - 52 - 100);
      const bottom = (await handle.boundingBox())!;
      await page.mouse.move(bottom.x + 40, bottom.y + bottom.height / 2);
      await page.mouse.down();
      await page.mouse.move(bottom.x + 40, 899, { steps: 6 });
      await page.mouse.up();
      const lowest = await height();
      expect(lowest).toBeGreaterThanOrEqual(140);
      expect(await byTestId(page, 'prov-submit').isVisible()).toBe(true);

      // Remembered: a new page of this browser opens the drawer at the height it was left.
      await page.keyboard.press('ArrowUp');
      const kept = await height();
      await page.reload();
      await byTestId(page, 'open-provenance').click();
      await drawer.waitFor();
      expect(Math.abs((await height()) - kept)).toBeLessThanOrEqual(1);
    });
  });

  test('in the lineage graph, ATTRIBUTES_MODIFIED does not cover the event time', async () => {
    await apiJson(server, 'POST', `/flows/${FLOW.id}/start`);
    await until('the FlowFiles to be deduplicated', async () => {
      const events = await apiJson<unknown[]>(server, 'GET', `/provenance?flowId=${FLOW.id}&type=DROP&limit=10`);
      return events.length >= 2;
    });
    const page = await openFlow();
    await withScreenshot(page, 'polish-lineage', async () => {
      await byTestId(page, 'open-provenance').click();
      await byTestId(page, 'prov-type').selectOption('ATTRIBUTES_MODIFIED');
      await byTestId(page, 'prov-submit').click();
      const row = page.locator('[data-testid="provenance-row"][data-type="ATTRIBUTES_MODIFIED"]').first();
      await row.waitFor();
      await row.getByRole('button', { name: 'Lineage' }).click();
      const node = page.locator('[data-testid^="lineage-node-"][data-type="ATTRIBUTES_MODIFIED"]').first();
      await node.waitFor();
      const tag = (await node.locator('.type-tag').boundingBox())!;
      const time = (await node.locator('.head > :last-child').boundingBox())!;
      expect(await node.locator('.head > :last-child').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
      expect(overlap(tag, time), `badge ${JSON.stringify(tag)} / time ${JSON.stringify(time)}`).toBe(false);
      // Both inside their card.
      const card = (await node.boundingBox())!;
      for (const b of [tag, time]) expect(b.x + b.width).toBeLessThanOrEqual(card.x + card.width + 0.5);
    });
  });
});
