/**
 * Daily operation without a mouse and in the dark, in real Chromium against the real server: the dark theme
 * (from the system's colour scheme before the first paint, or from the top bar's switch, remembered), WCAG AA
 * text contrast in both themes over a running flow, its panels, drawers and overlays, a processor added from the
 * palette with Enter, a connection made with C, the `?` list of shortcuts, and the side panel collapsed and back.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import { luminance, parseColor } from './contrast';
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
import { contrastOffenders, describeOffender, textSamples } from './wcag';

type Scheme = 'light' | 'dark';

let server: SluiceProcess;
let browser: Browser;
let example: Flow;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  example = JSON.parse(await readFile(path.join(ROOT, 'flows/examples/route-orders.json'), 'utf8')) as Flow;
  // What an operator looks at: the example running, with a label and a funnel beside it ...
  await apiJson(server, 'POST', '/flows', {
    ...example,
    schemaVersion: 2,
    id: 'audit-running',
    labels: [{ id: 'note', text: 'Orders are routed by region', position: { x: 320, y: 0 }, color: '#fde68a' }],
    // The unmatched orders pass a funnel on their way to the log.
    funnels: [{ id: 'merge', position: { x: 315, y: 560 } }],
    processors: example.processors.map((p) => (p.id === 'log-rest' ? { ...p, position: { x: 200, y: 720 } } : p)),
    connections: [
      ...example.connections.filter((c) => c.id !== 'route-to-rest'),
      { id: 'route-to-rest', source: 'route', relationships: ['unmatched'], target: 'merge' },
      { id: 'merge-to-rest', source: 'merge', relationships: ['success'], target: 'log-rest' },
    ],
  });
  await apiJson(server, 'POST', '/flows/audit-running/start');
  // ... and a flow with a problem: the warning banner, an invalid processor.
  await apiJson(server, 'POST', '/flows', {
    schemaVersion: 2,
    id: 'audit-invalid',
    name: 'Has a problem',
    // Parameters: a resolved value, a masked secret without a value, an unknown name (the warning colour).
    parameterContexts: [
      {
        id: 'dev',
        parameters: [
          { name: 'who', value: 'world' },
          { name: 'pw', sensitive: true },
        ],
      },
    ],
    parameterContext: 'dev',
    services: [{ id: 'schemas', type: 'JsonSchemaRegistry', name: 'Schemas', config: {} }],
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        position: { x: 0, y: 0 },
        config: { batchSize: 0, content: 'hello #{who} #{nope}' },
      },
      { id: 'log', type: 'LogAttribute', position: { x: 0, y: 200 }, autoTerminate: ['success'] },
    ],
    connections: [{ id: 'gen-log', source: 'gen', relationships: ['success'], target: 'log' }],
  });
}, 180_000);

afterAll(async () => {
  await apiJson(server, 'POST', '/flows/audit-running/stop').catch(() => {});
  await browser?.close();
  await server?.stop();
});

/** A flow of two processors that are not connected (each keyboard test its own). */
async function twoProcessors(id: string): Promise<void> {
  await apiJson(server, 'POST', '/flows', {
    schemaVersion: 1,
    id,
    name: `Keys ${id}`,
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', name: 'Make orders', position: { x: 0, y: 0 } },
      { id: 'log', type: 'LogAttribute', name: 'Log orders', position: { x: 0, y: 260 }, autoTerminate: ['success'] },
    ],
    connections: [],
  });
}

async function openFlow(id: string, scheme: Scheme = 'light'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.emulateMedia({ colorScheme: scheme });
  await page.goto(`${server.url}/#/flows/${id}`);
  await until(`flow "${id}" to open`, async () => (await page.locator('.react-flow__node').count()) > 0);
  return page;
}

/** The luminance (0 black .. 1 white) of an element's computed background colour. */
async function backgroundLuminance(page: Page, selector: string): Promise<number> {
  const colour = await page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const dom = globalThis as any;
      return dom.getComputedStyle(el).backgroundColor as string;
    });
  return luminance(parseColor(colour));
}

/** Steps the top bar's theme button (System → Light → Dark) from the keyboard until it shows `choice`. */
async function chooseTheme(page: Page, choice: 'system' | Scheme): Promise<void> {
  const toggle = byTestId(page, 'theme-toggle');
  for (let i = 0; i < 3 && (await toggle.getAttribute('data-choice')) !== choice; i++) {
    await toggle.focus();
    await page.keyboard.press('Enter');
  }
  expect(await toggle.getAttribute('data-choice')).toBe(choice);
}

const htmlTheme = (page: Page) => page.evaluate(() => (globalThis as any).document.documentElement.dataset.theme);

describe('dark theme', () => {
  test('follows a dark system scheme from the first paint; the switch overrides it and is remembered', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.emulateMedia({ colorScheme: 'dark' });
    // The theme <html> has by the time <body> is parsed: set there, no light page flashes before the app runs.
    await page.addInitScript(() => {
      const dom = globalThis as any;
      new dom.MutationObserver((_: unknown, observer: any) => {
        if (!dom.document.body) return;
        dom.themeAtBody = dom.document.documentElement.dataset.theme ?? 'none';
        observer.disconnect();
      }).observe(dom.document, { childList: true, subtree: true });
    });
    await withScreenshot(page, 'theme-switch', async () => {
      await page.goto(`${server.url}/#/flows/audit-running`);
      await byTestId(page, 'proc-generate').waitFor();
      expect(await page.evaluate(() => (globalThis as any).themeAtBody)).toBe('dark');
      expect(await htmlTheme(page)).toBe('dark');
      expect(await backgroundLuminance(page, '[data-testid="topbar"]')).toBeLessThan(0.05);
      expect(await backgroundLuminance(page, '.react-flow')).toBeLessThan(0.05);
      expect(await backgroundLuminance(page, '[data-testid="proc-generate"]')).toBeLessThan(0.05);

      await chooseTheme(page, 'light');
      await until('the light theme', async () => (await htmlTheme(page)) === 'light');
      expect(await backgroundLuminance(page, '[data-testid="topbar"]')).toBeGreaterThan(0.9);

      await page.reload();
      await byTestId(page, 'proc-generate').waitFor();
      expect(await page.evaluate(() => (globalThis as any).themeAtBody)).toBe('light');
      expect(await backgroundLuminance(page, '[data-testid="topbar"]')).toBeGreaterThan(0.9);
      expect(await byTestId(page, 'theme-toggle').getAttribute('data-choice')).toBe('light');

      await chooseTheme(page, 'dark');
      await until('the dark theme', async () => (await htmlTheme(page)) === 'dark');
      await chooseTheme(page, 'system');
      await page.emulateMedia({ colorScheme: 'light' });
      await until('the system theme to follow the scheme to light', async () => (await htmlTheme(page)) === 'light');
      expect(await backgroundLuminance(page, '.react-flow')).toBeGreaterThan(0.9);
    });
    await context.close();
  }, 60_000);
});

describe('WCAG AA text contrast', () => {
  test.each(['light', 'dark'] as const)(
    'every text meets AA in the %s theme',
    async (scheme) => {
      const found: string[] = [];
      const audit = async (page: Page, where: string, scope = 'body') => {
        for (const o of await contrastOffenders(page, scope)) found.push(`[${where}] ${describeOffender(o)}`);
      };
      const page = await openFlow('audit-running', scheme);
      await withScreenshot(page, `contrast-${scheme}`, async () => {
        expect(await htmlTheme(page)).toBe(scheme);
        await until('the flow to run', async () =>
          (await byTestId(page, 'flow-state').textContent())?.includes('Running'),
        );
        await byTestId(page, 'queue-route-to-rest').waitFor();
        await audit(page, 'overview');
        // The audit measures what is there: the palette, cards, queue labels and panel, each with its own colours.
        const samples = await textSamples(page);
        expect(samples.length).toBeGreaterThan(60);
        expect(samples.some((x) => x.selector.includes('proc-type') && x.text === 'RouteOnAttribute')).toBe(true);

        await page.locator('.react-flow__node[data-id="route"] .proc-title').click();
        await byTestId(page, 'processor-panel').waitFor();
        await audit(page, 'processor panel');

        await byTestId(page, 'queue-route-to-rest').click();
        await page.locator('.drawer').waitFor();
        await audit(page, 'queue drawer');

        await byTestId(page, 'open-provenance').click();
        await page.locator('.drawer table.grid tbody tr').first().waitFor();
        await audit(page, 'provenance drawer');

        await page.locator('.react-flow__node[data-id="tag"] .proc-title').click();
        await page.keyboard.press('?');
        await byTestId(page, 'shortcut-help').waitFor();
        await audit(page, 'shortcut help', '[data-testid="shortcut-help"]');
        await page.keyboard.press('Escape');
        await byTestId(page, 'shortcut-help').waitFor({ state: 'detached' });

        await page.keyboard.press('c');
        await byTestId(page, 'connect-picker').waitFor();
        await audit(page, 'connect picker', '[data-testid="connect-picker"]');
        await page.keyboard.press('Escape');
        await byTestId(page, 'connect-picker').waitFor({ state: 'detached' });

        await page.goto(`${server.url}/#/flows/audit-invalid`);
        await byTestId(page, 'flow-issues').waitFor();
        await audit(page, 'flow with a problem');

        // Parameters: the Parameters page, a resolved value under a field and the suggestion list.
        await byTestId(page, 'flow-context-parameters').click();
        await byTestId(page, 'param-dev-pw-set').waitFor();
        await audit(page, 'parameters page');
        await byTestId(page, 'side-view-back').click();
        await byTestId(page, 'flow-context-services').click();
        await byTestId(page, 'service-schemas-state').waitFor();
        await audit(page, 'services page');
        await page.locator('.react-flow__node[data-id="gen"] .proc-title').click();
        await byTestId(page, 'resolved-field-config-content').locator('.param-unknown').waitFor();
        await byTestId(page, 'field-config-content').press('End');
        await byTestId(page, 'field-config-content').pressSequentially(' #{');
        await byTestId(page, 'suggest-field-config-content').waitFor();
        await audit(page, 'parameter suggestions', '[data-testid="processor-panel"]');
        expect(found).toEqual([]);
      });
      await page.context().close();
    },
    90_000,
  );
});

describe('keyboard', () => {
  test('Enter or Space on a palette item adds that processor at the centre, selected', async () => {
    await twoProcessors('keys-palette');
    const page = await openFlow('keys-palette');
    await withScreenshot(page, 'keys-palette', async () => {
      await byTestId(page, 'palette-UpdateAttribute').focus();
      await page.keyboard.press('Enter');
      const added = (await until('the added processor to be saved', async () => {
        const flow = await apiJson<Flow>(server, 'GET', '/flows/keys-palette');
        return flow.processors.find((p) => p.type === 'UpdateAttribute');
      }))!;
      // Selected, so its panel is open, and in the middle of what the canvas shows.
      await page.locator(`.react-flow__node.selected[data-id="${added.id}"]`).waitFor();
      await byTestId(page, 'processor-panel').waitFor();
      const canvas = (await byTestId(page, 'canvas').boundingBox())!;
      const node = (await page.locator(`.react-flow__node[data-id="${added.id}"]`).boundingBox())!;
      const centre = { x: canvas.x + canvas.width / 2, y: canvas.y + canvas.height / 2 };
      expect(node.x).toBeLessThan(centre.x);
      expect(node.x + node.width).toBeGreaterThan(centre.x);
      expect(Math.abs(node.y + node.height / 2 - centre.y)).toBeLessThan(node.height + 60);

      await byTestId(page, 'palette-LogAttribute').focus();
      await page.keyboard.press(' ');
      await until('a second processor from Space', async () => {
        const flow = await apiJson<Flow>(server, 'GET', '/flows/keys-palette');
        return flow.processors.filter((p) => p.type === 'LogAttribute').length === 2;
      });
    });
    await page.context().close();
  }, 60_000);

  test('C connects the selected processor to another chosen from the keyboard; Escape cancels', async () => {
    await twoProcessors('keys-connect');
    const page = await openFlow('keys-connect');
    await withScreenshot(page, 'keys-connect', async () => {
      // Tab reaches the canvas items (React Flow makes them focusable); Enter selects the focused one.
      await page.locator('.react-flow__node[data-id="gen"]').focus();
      await page.keyboard.press('Enter');
      await page.locator('.react-flow__node.selected[data-id="gen"]').waitFor();

      await page.keyboard.press('c');
      await byTestId(page, 'connect-picker').waitFor();
      expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('connect-filter');
      await page.keyboard.press('Escape');
      await byTestId(page, 'connect-picker').waitFor({ state: 'detached' });
      // Escape gives the focus back to the source item.
      await page.locator('.react-flow__node[data-id="gen"]:focus').waitFor();

      await page.keyboard.press('c');
      // Type once the filter has the focus (the picker mounts and focuses it a frame after the key).
      await page.locator('#connect-filter:focus').waitFor();
      await page.keyboard.type('log');
      expect(await page.locator('#connect-filter').inputValue()).toBe('log');
      await byTestId(page, 'connect-target-log').and(page.locator('[aria-selected="true"]')).waitFor();
      await page.keyboard.press('Enter');
      await byTestId(page, 'connect-picker').waitFor({ state: 'detached' });
      const flow = (await until('the connection to be saved', async () => {
        const f = await apiJson<Flow>(server, 'GET', '/flows/keys-connect');
        return f.connections.length > 0 ? f : null;
      }))!;
      expect(flow.connections).toEqual([
        expect.objectContaining({ source: 'gen', target: 'log', relationships: ['success'] }),
      ]);
      // The focus is back on the canvas, on the item the connection came from.
      await until('the focus back on the source', async () =>
        page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('data-id') === 'gen'),
      );
    });
    await page.context().close();
  }, 60_000);

  test('? lists the shortcuts; Escape closes the list', async () => {
    await twoProcessors('keys-help');
    const page = await openFlow('keys-help');
    await withScreenshot(page, 'keys-help', async () => {
      await page.locator('.react-flow__pane').click();
      await page.keyboard.press('?');
      const help = byTestId(page, 'shortcut-help');
      await help.waitFor();
      const text = await help.textContent();
      for (const keys of [
        'Delete',
        'Ctrl+Z',
        'Ctrl+Y',
        'Ctrl+C',
        'Ctrl+V',
        'Ctrl+A',
        'Ctrl+G',
        'Ctrl+Shift+G',
        'Ctrl+F',
      ])
        expect(text).toContain(keys);
      expect(text).toContain('Connect the selected item');
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached' });
    });
    await page.context().close();
  }, 60_000);

  test('the side panel collapses to a rail and back from the keyboard, and stays as it was left', async () => {
    await twoProcessors('keys-side');
    const page = await openFlow('keys-side');
    await withScreenshot(page, 'keys-side', async () => {
      const side = byTestId(page, 'side-panel');
      const toggle = byTestId(page, 'side-panel-toggle');
      const canvasWidth = async () => (await byTestId(page, 'canvas').boundingBox())!.width;
      await byTestId(page, 'flow-panel').waitFor();
      const before = await canvasWidth();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');

      await toggle.focus();
      await page.keyboard.press('Enter');
      await until('the rail', async () => (await side.boundingBox())!.width < 60);
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      expect(await byTestId(page, 'flow-panel').count()).toBe(0);
      await until('the canvas to take the room', async () => (await canvasWidth()) > before + 250);

      await page.reload();
      await page.locator('.react-flow__node').first().waitFor();
      expect((await side.boundingBox())!.width).toBeLessThan(60);

      await toggle.focus();
      await page.keyboard.press('Enter');
      await byTestId(page, 'flow-panel').waitFor();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      await until('the panel at full width', async () => (await side.boundingBox())!.width > 300);
    });
    await page.context().close();
  }, 60_000);
});
