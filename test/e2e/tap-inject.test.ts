/**
 * The debug sidebar in real Chromium against the real server: watch a connection from its panel, inject a
 * FlowFile there with the inject form, see it in the watched list (attributes and content preview), then run the
 * flow and see LogAttribute's line for it in the debug panel.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ARTIFACTS,
  apiJson,
  byTestId,
  ensureUiBuilt,
  launchChromium,
  type SluiceProcess,
  startSluice,
  until,
  withScreenshot,
} from './harness';
import { contrastOffenders, describeOffender } from './wcag';

let server: SluiceProcess;
let browser: Browser;

const flow = {
  schemaVersion: 1,
  id: 'tap-e2e',
  name: 'Tap e2e',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: 'generated', count: 1 },
      schedule: { period: '1h' },
    },
    {
      id: 'log',
      type: 'LogAttribute',
      name: 'Log',
      position: { x: 0, y: 260 },
      config: { logLevel: 'info', logPayload: true },
      autoTerminate: ['success'],
    },
  ],
  connections: [{ id: 'gen-to-log', source: 'gen', relationships: ['success'], target: 'log' }],
};

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  await apiJson(server, 'POST', '/flows', flow);
  await mkdir(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('tap, inject and debug panel', () => {
  test('watch a connection, inject into it, see the FlowFile live; run the flow and see its debug line', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/#/flows/${flow.id}`);
    await withScreenshot(page, 'tap-inject', async () => {
      await byTestId(page, 'queue-gen-to-log').click();
      await byTestId(page, 'connection-panel').waitFor();
      await byTestId(page, 'tap-watch').click();
      await byTestId(page, 'tap-gen-to-log').waitFor();
      // The stream is open (and the tap started) before anything is injected.
      await page.locator('[data-testid="debug-live"][data-live="true"]').waitFor();

      await byTestId(page, 'inject-open').click();
      await byTestId(page, 'inject-form').waitFor();
      await byTestId(page, 'inject-content').fill('{"hello":"e2e"}');
      await byTestId(page, 'inject-attr-key-0').fill('greeting');
      await byTestId(page, 'inject-attr-value-0').fill('hi');
      await byTestId(page, 'inject-send').click();
      await until('the inject form to close', async () => (await byTestId(page, 'inject-form').count()) === 0);

      const entry = page.locator('[data-testid^="tap-entry-"]').first();
      await entry.waitFor();
      expect(await entry.locator('.tap-attrs').textContent()).toContain('greeting');
      expect(await entry.locator('.tap-attrs').textContent()).toContain('hi');
      expect(await entry.getByTestId('tap-preview').textContent()).toContain('{"hello":"e2e"}');
      const flowFileId = (await entry.getAttribute('data-testid'))!.slice('tap-entry-'.length);
      await page.screenshot({ path: path.join(ARTIFACTS, 'tap-watched.png') });
      // Waiting in the stopped flow's queue, and remembered as the last injected for this connection.
      await until('the queue label to count the injected FlowFile', async () =>
        (await byTestId(page, 'queue-count-gen-to-log').textContent())?.trim() === '1' ? true : undefined,
      );

      await apiJson(server, 'POST', `/flows/${flow.id}/start`);
      await byTestId(page, 'debug-tab-debug').click();
      const line = page.locator('[data-testid="debug-line"]', { hasText: flowFileId });
      await line.waitFor();
      expect(await line.textContent()).toContain('Log');
      expect(await line.textContent()).toContain('{"hello":"e2e"}');
      await page.screenshot({ path: path.join(ARTIFACTS, 'tap-debug.png') });
      // Filter by processor, then clear.
      await byTestId(page, 'debug-filter').selectOption('log');
      await line.waitFor();
      await byTestId(page, 'debug-clear').click();
      await byTestId(page, 'debug-empty').waitFor();

      // The form offers the last FlowFile injected into this connection.
      await byTestId(page, 'debug-tab-tap').click();
      await byTestId(page, 'tap-inject-gen-to-log').click();
      await byTestId(page, 'inject-use-last').click();
      expect(await byTestId(page, 'inject-content').inputValue()).toBe('{"hello":"e2e"}');
      expect(await byTestId(page, 'inject-attr-key-0').inputValue()).toBe('greeting');
      await byTestId(page, 'inject-cancel').click();
    });
    await apiJson(server, 'POST', `/flows/${flow.id}/stop`);
    await context.close();
  }, 120_000);

  test('the sidebar, its lines and the inject form meet AA in the dark theme', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/flows/${flow.id}`);
    const found: string[] = [];
    const audit = async (where: string, scope: string) => {
      for (const o of await contrastOffenders(page, scope)) found.push(`[${where}] ${describeOffender(o)}`);
    };
    await withScreenshot(page, 'tap-inject-dark', async () => {
      await byTestId(page, 'queue-gen-to-log').click();
      await byTestId(page, 'tap-watch').click();
      await page.locator('[data-testid="debug-live"][data-live="true"]').waitFor();
      await apiJson(server, 'POST', `/flows/${flow.id}/start`);
      await apiJson(server, 'POST', `/flows/${flow.id}/connections/gen-to-log/inject`, {
        content: 'dark',
        attributes: { theme: 'dark' },
      });
      await page.locator('[data-testid^="tap-entry-"]', { hasText: 'theme' }).waitFor();
      await audit('watched', '[data-testid="debug-sidebar"]');
      await byTestId(page, 'debug-tab-debug').click();
      await byTestId(page, 'debug-line').first().waitFor();
      await audit('debug', '[data-testid="debug-sidebar"]');
      await page.screenshot({ path: path.join(ARTIFACTS, 'tap-debug-dark.png') });
      await byTestId(page, 'inject-open').click();
      await byTestId(page, 'inject-form').waitFor();
      await audit('inject form', '[data-testid="inject-form"]');
      await byTestId(page, 'inject-cancel').click();
      expect(found).toEqual([]);

      // A processor's Inject… goes to its first incoming connection; a source has none to offer.
      await page.locator('.react-flow__node[data-id="log"] .proc-title').click();
      await byTestId(page, 'processor-panel').waitFor();
      await byTestId(page, 'processor-inject').click();
      expect(await byTestId(page, 'inject-form').getAttribute('aria-label')).toBe('Inject into Generate → Log');
      await byTestId(page, 'inject-cancel').click();
      await page.locator('.react-flow__node[data-id="gen"] .proc-title').click();
      await until("the source's panel", async () =>
        (await byTestId(page, 'processor-panel').textContent())?.includes('GenerateFlowFile'),
      );
      expect(await byTestId(page, 'processor-inject').count()).toBe(0);
    });
    await apiJson(server, 'POST', `/flows/${flow.id}/stop`);
    await context.close();
  }, 120_000);
});
