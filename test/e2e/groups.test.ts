/**
 * Process groups on the canvas in real Chromium against the real server: a nested flow's group card, entering
 * it by double-click and leaving by breadcrumb, and making a group of two selected processors (saved with ports).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow, GroupSpec } from '../../flows/flow-schema';
import {
  ARTIFACTS,
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
let nested: Flow;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  // The examples are there already; a copy under its own id is this test's to change.
  const example = JSON.parse(await readFile(path.join(ROOT, 'flows/examples/nested-groups.json'), 'utf8')) as Flow;
  nested = { ...example, id: 'groups-e2e' };
  await apiJson(server, 'POST', '/flows', nested);
  await mkdir(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openNested(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/#/flows/${nested.id}`);
  await byTestId(page, 'group-intake').waitFor();
  return page;
}

describe('process groups on the canvas', () => {
  test('the group card shows its ports and roll-up; double-click enters it, the breadcrumb leads back', async () => {
    const page = await openNested();
    await withScreenshot(page, 'groups-enter', async () => {
      await byTestId(page, 'proc-generate').waitFor();
      await byTestId(page, 'label-about').waitFor();
      await byTestId(page, 'group-intake-in-orders').waitFor();
      await byTestId(page, 'group-intake-out-accepted').waitFor();
      // Tag, Amount missing? and Add tax are under Intake, all stopped.
      expect(await byTestId(page, 'group-rollup-intake').textContent()).toContain('■ 3');
      // The connections to and from the group's ports are drawn.
      for (const id of ['generate-to-intake', 'accepted-to-log', 'rejected-to-log'])
        await page.locator(`.react-flow__edge[data-id="${id}"]`).waitFor();

      await byTestId(page, 'group-intake').dblclick();
      await byTestId(page, 'proc-tag').waitFor();
      await byTestId(page, 'group-checks').waitFor();
      await byTestId(page, 'funnel-rejects').waitFor();
      await byTestId(page, 'port-orders').waitFor();
      await byTestId(page, 'port-accepted').waitFor();
      expect(await byTestId(page, 'proc-generate').count()).toBe(0);
      expect(await byTestId(page, 'breadcrumbs').textContent()).toBe('Nested groups › Intake');

      await byTestId(page, 'group-checks').dblclick();
      await byTestId(page, 'proc-validate').waitFor();
      expect(await byTestId(page, 'breadcrumbs').textContent()).toBe('Nested groups › Intake › Checks');
      await page.screenshot({ path: path.join(ARTIFACTS, 'groups-inside.png') });

      await byTestId(page, 'crumb-0').click();
      await byTestId(page, 'proc-generate').waitFor();
      await byTestId(page, 'group-intake').waitFor();
      expect(await byTestId(page, 'proc-validate').count()).toBe(0);
    });
    await page.context().close();
  }, 60_000);

  test('two selected processors become a group, saved with its ports', async () => {
    const page = await openNested();
    await withScreenshot(page, 'groups-make', async () => {
      await page.locator('.react-flow__node[data-id="log-accepted"] .proc-title').click();
      await page.keyboard.down('Control');
      await page.locator('.react-flow__node[data-id="log-rejected"] .proc-title').click();
      await page.keyboard.up('Control');
      await byTestId(page, 'group-selection').click();
      await byTestId(page, 'group-group').waitFor();
      expect(await byTestId(page, 'proc-log-accepted').count()).toBe(0);
      const saved = await until('the group to be saved', async () => {
        const flow = await apiJson<Flow>(server, 'GET', `/flows/${nested.id}`);
        return flow.groups?.find((g) => g.id === 'group');
      });
      const group = saved as GroupSpec;
      expect(group.processors!.map((p) => p.id).sort()).toEqual(['log-accepted', 'log-rejected']);
      expect(group.inputPorts!.map((p) => p.id)).toEqual(['from-intake-accepted', 'from-intake-rejected']);
      const flow = await apiJson<Flow>(server, 'GET', `/flows/${nested.id}`);
      expect(flow.connections).toContainEqual(
        expect.objectContaining({
          id: 'accepted-to-log',
          source: { group: 'intake', port: 'accepted' },
          target: { group: 'group', port: 'from-intake-accepted' },
        }),
      );
      await byTestId(page, 'save-status').and(page.locator('[data-status="saved"]')).waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'groups.png') });
    });
    await page.context().close();
  }, 60_000);

  test('a label is edited in the side panel and resized on the canvas', async () => {
    const page = await openNested();
    await withScreenshot(page, 'groups-label', async () => {
      await byTestId(page, 'label-about').click();
      await byTestId(page, 'label-panel').waitFor();
      await byTestId(page, 'label-text').fill('Edited note');
      await byTestId(page, 'label-color-bbf7d0').click();
      const box = (await byTestId(page, 'label-about').boundingBox())!;
      const handle = page.locator('.react-flow__node[data-id="about"] .react-flow__resize-control.handle.bottom.right');
      const h = (await handle.boundingBox())!;
      await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
      await page.mouse.down();
      await page.mouse.move(h.x + h.width / 2 + 60, h.y + h.height / 2 + 40, { steps: 8 });
      await page.mouse.up();
      const label = await until('the label to be saved', async () => {
        const flow = await apiJson<Flow>(server, 'GET', `/flows/${nested.id}`);
        const l = flow.labels?.find((x) => x.id === 'about');
        return l?.text === 'Edited note' && l.color === '#bbf7d0' && (l.size?.width ?? 0) > box.width + 30 ? l : null;
      });
      expect(label!.size!.height).toBeGreaterThan(box.height + 20);
    });
    await page.context().close();
  }, 60_000);

  test('a selected group is started and stopped, exported as a flow file, and imported back into the level', async () => {
    const page = await openNested();
    await withScreenshot(page, 'groups-actions', async () => {
      await page.locator('[data-testid="group-intake"] .group-head').click();
      await byTestId(page, 'group-panel').waitFor();

      // A group starts and stops inside a running flow.
      type Status = { running: boolean; processors: Record<string, { state: string }> };
      const status = () => apiJson<Status>(server, 'GET', `/flows/${nested.id}/status`);
      const intakeStates = (st: Status) =>
        Object.entries(st.processors)
          .filter(([id]) => id.startsWith('intake__'))
          .map(([, p]) => p.state);
      await apiJson(server, 'POST', `/flows/${nested.id}/start`);
      await byTestId(page, 'group-stop').and(page.locator(':enabled')).click();
      await until('the group to stop', async () => {
        const st = await status();
        const states = intakeStates(st);
        return states.length > 0 && states.every((s) => s !== 'running') && st.processors.generate?.state === 'running';
      });
      await byTestId(page, 'group-start').click();
      await until('the group to run again', async () => intakeStates(await status()).includes('running'));
      await apiJson(server, 'POST', `/flows/${nested.id}/stop`);
      await byTestId(page, 'group-start').and(page.locator(':disabled')).waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'group-export').click()]);
      const file = JSON.parse(await readFile((await download.path())!, 'utf8')) as Flow;
      expect(file.schemaVersion).toBe(2);
      expect(file.groups!.map((g) => g.id)).toEqual(['intake']);
      expect(file.groups![0]!.inputPorts!.map((p) => p.id)).toEqual(['orders']);

      await byTestId(page, 'import-level-file').setInputFiles({
        name: 'intake.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(file)),
      });
      await byTestId(page, 'group-intake-2').waitFor();
      const saved = await until('the imported group to be saved', async () => {
        const flow = await apiJson<Flow>(server, 'GET', `/flows/${nested.id}`);
        return flow.groups?.find((g) => g.id === 'intake-2');
      });
      expect(saved!.inputPorts).toEqual(file.groups![0]!.inputPorts);
    });
    await page.context().close();
  }, 60_000);
});
