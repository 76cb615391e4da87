/**
 * Deleting a connection whose queue holds FlowFiles, in real Chromium against the real server: the save is
 * refused (409) and one dialog names the connection and its count, offering "Empty the queue and delete" or
 * "Cancel" (the deletion is undone).
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
  until,
  withScreenshot,
} from './harness';

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

const FLOW = {
  schemaVersion: 1,
  id: 'queued',
  name: 'Queued',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 200, y: 80 },
      config: { content: 'hello', count: 7, batchSize: 1 },
      schedule: { period: '10ms' },
    },
    {
      id: 'sink',
      type: 'LogAttribute',
      name: 'Sink',
      position: { x: 200, y: 380 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    },
  ],
  connections: [{ id: 'gen-to-sink', source: 'gen', relationships: ['success'], target: 'sink' }],
};

interface Status {
  state: string;
  connections: Record<string, { count: number }>;
}

async function deleteConnection(page: Page, id: string): Promise<void> {
  await byTestId(page, `queue-${id}`).click();
  await page.locator('.react-flow').focus();
  await page.keyboard.press('Delete');
  await byTestId(page, `queue-${id}`).waitFor({ state: 'detached' });
}

describe('deleting a connection that holds FlowFiles', { timeout: 60_000 }, () => {
  test('one dialog names it with its count; cancel undoes, "Empty the queue and delete" saves', async () => {
    // Arrange: the sink stopped, the flow running, 7 FlowFiles waiting in its queue.
    await apiJson(server, 'POST', '/flows', FLOW);
    await apiJson(server, 'POST', '/flows/queued/processors/sink/stop');
    await apiJson(server, 'POST', '/flows/queued/start');
    await until('7 FlowFiles to wait in the queue', async () => {
      const s = await apiJson<Status>(server, 'GET', '/flows/queued/status');
      return s.connections['gen-to-sink']?.count === 7;
    });

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/#/flows/queued`);
    await byTestId(page, 'proc-sink').waitFor();
    await withScreenshot(page, 'delete-queued-failure', async () => {
      const dialog = byTestId(page, 'queued-delete-dialog');

      // Cancel: the connection comes back and the server keeps it.
      await deleteConnection(page, 'gen-to-sink');
      await dialog.waitFor();
      expect(await byTestId(page, 'save-status').getAttribute('data-status')).not.toBe('saved');
      await byTestId(page, 'queued-delete-cancel').click();
      await dialog.waitFor({ state: 'detached' });
      await byTestId(page, 'queue-gen-to-sink').waitFor();
      await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
      const kept = await apiJson<Flow>(server, 'GET', '/flows/queued');
      expect(kept.connections.map((c) => c.id)).toEqual(['gen-to-sink']);

      // Delete again: the dialog names the connection and its count.
      await deleteConnection(page, 'gen-to-sink');
      await dialog.waitFor();
      const item = dialog.locator('[data-connection="gen-to-sink"]');
      expect(await item.textContent()).toMatch(/gen-to-sink.*Generate → Sink: 7 FlowFiles queued/);
      expect(await byTestId(page, 'queued-delete-confirm').textContent()).toBe('Empty the queue and delete');
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'delete-queued.png') });

      await byTestId(page, 'queued-delete-confirm').click();
      await dialog.waitFor({ state: 'detached' });
      // Saved: without the connection the flow does not validate (Generate's "success" goes nowhere, the sink
      // has no input), and the server stores it all the same; the indicator lists its problems.
      await page.locator('[data-testid="save-status"][data-status="invalid"]').waitFor();
      const saved = await until('the server to hold the flow without the connection', async () => {
        const flow = await apiJson<Flow>(server, 'GET', '/flows/queued');
        return flow.connections.length === 0 ? flow : undefined;
      }).then((flow) => flow!);
      expect(saved.processors.map((p) => p.id)).toEqual(['gen', 'sink']);
      const status = await apiJson<Status & { validation: { valid: boolean } }>(server, 'GET', '/flows/queued/status');
      expect(status.state).toBe('invalid');
      expect(status.validation.valid).toBe(false);
      expect(await byTestId(page, 'flow-start').isDisabled()).toBe(true);
    });
    await context.close();
  });
});
