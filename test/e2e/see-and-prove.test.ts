/**
 * The whole story of issue #18 in real Chromium against the real server: watch a connection, inject a FlowFile
 * from the form and see it in the tap, pin it as a test, run the tests (pass), change the routing in the
 * processor's form, run them (fail, expected vs actual shown), compare with the previous version (the changed
 * processor amber, the property listed), revert, run them again (pass).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import type { FlowTestFile } from '../../server/flow-tests/test-schema';
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
import { contrastOffenders, describeOffender } from './wcag';

let server: SluiceProcess;
let browser: Browser;

const EU = 'attributes.region = "eu"';
const US = 'attributes.region = "us"';

const FLOW = {
  schemaVersion: 2,
  id: 'see-and-prove',
  name: 'See and prove',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: '{"region":"us"}', count: 1 },
      schedule: { period: '1h' },
    },
    {
      id: 'route',
      type: 'RouteOnAttribute',
      name: 'Route by region',
      position: { x: 0, y: 240 },
      config: { routes: { eu: EU } },
      autoTerminate: ['failure'],
    },
    {
      id: 'log-eu',
      type: 'LogAttribute',
      name: 'Log EU',
      position: { x: -220, y: 480 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    },
    {
      id: 'log-other',
      type: 'LogAttribute',
      name: 'Log other',
      position: { x: 220, y: 480 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    },
  ],
  connections: [
    { id: 'gen-to-route', source: 'gen', relationships: ['success'], target: 'route' },
    { id: 'route-eu', source: 'route', relationships: ['eu'], target: 'log-eu' },
    { id: 'route-other', source: 'route', relationships: ['unmatched'], target: 'log-other' },
  ],
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

const euRoute = async () => {
  const flow = await apiJson<Flow>(server, 'GET', `/flows/${FLOW.id}`);
  return (flow.processors.find((p) => p.id === 'route')!.config as { routes?: Record<string, string> }).routes?.eu;
};

/** Runs the tests from the panel and waits for this run's summary. */
async function runTests(page: Page, summary: string): Promise<void> {
  await byTestId(page, 'tests-run').click();
  await textOf(page, 'tests-summary', `the summary "${summary}"`, (t) => t.startsWith(summary));
  await page.locator('[data-testid="tests-summary"][data-running="false"]').waitFor();
}

describe('see and prove', () => {
  test('watch, inject, pin as a test, pass; change the routing, fail; compare, revert, pass', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${server.url}/#/flows/${FLOW.id}`);
    await byTestId(page, 'proc-route').waitFor();
    await withScreenshot(page, 'see-and-prove', async () => {
      // Watch the connection into the router and inject a FlowFile there from the form.
      await byTestId(page, 'queue-gen-to-route').click();
      await byTestId(page, 'tap-watch').click();
      await byTestId(page, 'tap-gen-to-route').waitFor();
      await page.locator('[data-testid="debug-live"][data-live="true"]').waitFor();
      await byTestId(page, 'inject-open').click();
      await byTestId(page, 'inject-content').fill('{"region":"eu","amount":5}');
      await byTestId(page, 'inject-attr-key-0').fill('region');
      await byTestId(page, 'inject-attr-value-0').fill('eu');
      await byTestId(page, 'inject-send').click();
      const entry = page.locator('[data-testid^="tap-entry-"]').first();
      await entry.waitFor();
      expect(await entry.locator('.tap-attrs').textContent()).toContain('region');

      // Pin it: the case is saved and listed; it expects what the router does now.
      await byTestId(page, 'tap-pin-gen-to-route').click();
      const testCase = page.locator('[data-testid="test-case"]');
      await testCase.waitFor();
      expect(await testCase.getAttribute('data-name')).toBe('1 FlowFile pinned at Generate → Route by region');
      expect(await testCase.getAttribute('data-status')).toBe('not-run');
      const stored = await apiJson<FlowTestFile>(server, 'GET', `/flows/${FLOW.id}/tests`);
      expect(stored.cases).toHaveLength(1);
      expect(stored.cases[0]!.inject).toEqual([
        expect.objectContaining({ at: 'gen-to-route', content: '{"region":"eu","amount":5}' }),
      ]);
      expect(stored.cases[0]!.inject![0]!.attributes).toMatchObject({ region: 'eu' });
      expect(stored.cases[0]!.expect).toEqual(
        expect.arrayContaining([
          { at: 'route:eu', count: 1 },
          { at: 'route:unmatched', count: 0 },
          { at: 'route:failure', count: 0 },
          {
            at: 'route:eu',
            nth: 0,
            attributes: { 'RouteOnAttribute.Route': 'eu' },
            content: { json: { region: 'eu', amount: 5 } },
          },
        ]),
      );
      expect(stored.cases[0]!.mute).toEqual(['gen']);
      expect(stored.cases[0]!.capture).toEqual(['log-eu', 'log-other']);

      await runTests(page, '1 passed, 0 failed');
      expect(await testCase.getAttribute('data-status')).toBe('passed');
      await page.screenshot({ path: path.join(ARTIFACTS, 'see-and-prove-pass.png') });

      // Change the routing in the router's form: the EU FlowFile now goes to "unmatched".
      await byTestId(page, 'tests-close').click();
      await byTestId(page, 'debug-close').click();
      await page.locator('.react-flow__node[data-id="route"] .proc-title').click();
      await byTestId(page, 'processor-panel').waitFor();
      const rule = byTestId(page, 'field-config-routes-value-0');
      expect(await rule.inputValue()).toBe(EU);
      await rule.fill(US);
      await rule.press('Tab');
      await until('the server to hold the new rule', async () => (await euRoute()) === US);
      await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();

      await byTestId(page, 'open-tests').click();
      await runTests(page, '0 passed, 1 failed');
      expect(await testCase.getAttribute('data-status')).toBe('failed');
      const countRow = page.locator('[data-testid="test-failure"][data-path="/cases/0/expect/0/count"]');
      await countRow.waitFor();
      expect(await countRow.locator('code').textContent()).toBe('route:eu');
      expect((await countRow.getByTestId('test-expected').textContent())?.trim()).toBe('1');
      expect((await countRow.getByTestId('test-actual').textContent())?.trim()).toBe('0');
      const unmatchedRow = page.locator('[data-testid="test-failure"]', { hasText: 'route:unmatched' });
      expect((await unmatchedRow.getByTestId('test-expected').textContent())?.trim()).toBe('0');
      expect((await unmatchedRow.getByTestId('test-actual').textContent())?.trim()).toBe('1');
      await page.screenshot({ path: path.join(ARTIFACTS, 'see-and-prove-fail.png') });

      // Versions: compare the version before the change with the current flow, then revert to it.
      await byTestId(page, 'tests-close').click();
      await byTestId(page, 'open-versions').click();
      const rows = page.locator('[data-testid="version-row"]');
      await until('the change to be a version', async () => (await rows.count()) >= 2);
      await rows.nth(1).click();
      await byTestId(page, 'versions-compare').click();
      await textOf(page, 'diff-item-processor-route', 'the rule change to be listed', (t) =>
        t.includes(`config.routes.eu: ${JSON.stringify(EU)} → ${JSON.stringify(US)}`),
      );
      expect(await byTestId(page, 'diff-item-processor-route').getAttribute('data-change')).toBe('changed');
      const mark = byTestId(page, 'diff-mark-route');
      await mark.waitFor();
      expect(await mark.getAttribute('data-mark')).toBe('changed');
      const [border, warn] = await mark.evaluate((el) => {
        const win = globalThis as unknown as {
          getComputedStyle(e: unknown): { borderTopColor: string; getPropertyValue(name: string): string };
          document: { documentElement: unknown };
        };
        return [
          win.getComputedStyle(el).borderTopColor,
          win.getComputedStyle(win.document.documentElement).getPropertyValue('--warn').trim(),
        ];
      });
      expect(border).toBe(hexToRgb(warn));
      expect(await byTestId(page, 'diff-mark-gen').count()).toBe(0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'see-and-prove-diff.png') });

      await byTestId(page, 'versions-revert').click();
      await byTestId(page, 'confirm').click();
      await until('the flow to have the EU rule again', async () => (await euRoute()) === EU);
      await byTestId(page, 'diff-mark-route').waitFor({ state: 'detached' });
      await byTestId(page, 'versions-close').click();

      await byTestId(page, 'open-tests').click();
      await runTests(page, '1 passed, 0 failed');
      expect(await testCase.getAttribute('data-status')).toBe('passed');
      expect(await byTestId(page, 'test-failure').count()).toBe(0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'see-and-prove-revert.png') });
    });
    await context.close();
  }, 150_000);
});

describe('the Tests panel', () => {
  test('a failed run (expected vs actual) and a passed case meet AA in the dark theme', async () => {
    const id = 'see-and-prove-dark';
    await apiJson(server, 'POST', '/flows', { ...FLOW, id, name: 'Dark tests' });
    const inject = [{ at: 'gen-to-route', content: '{}', attributes: { region: 'eu' } }];
    const [mute, capture] = [['gen'], ['log-eu', 'log-other']];
    await apiJson(server, 'PUT', `/flows/${id}/tests`, {
      cases: [
        { name: 'passes', mute, capture, inject, expect: [{ at: 'route:eu', count: 1 }] },
        { name: 'fails', mute, capture, inject, expect: [{ at: 'route:eu', count: 2 }] },
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/flows/${id}`);
    await byTestId(page, 'proc-route').waitFor();
    await withScreenshot(page, 'see-and-prove-dark', async () => {
      await byTestId(page, 'open-tests').click();
      await runTests(page, '1 passed, 1 failed');
      await page.locator('[data-testid="test-case"][data-name="passes"][data-status="passed"]').waitFor();
      const failed = page.locator('[data-testid="test-case"][data-name="fails"][data-status="failed"]');
      expect((await failed.getByTestId('test-expected').textContent())?.trim()).toBe('2');
      expect((await failed.getByTestId('test-actual').textContent())?.trim()).toBe('1');
      const found = (await contrastOffenders(page, '[data-testid="tests-panel"]')).map(describeOffender);
      await page.screenshot({ path: path.join(ARTIFACTS, 'see-and-prove-dark.png') });
      expect(found).toEqual([]);
    });
    await context.close();
  }, 90_000);
});

function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
