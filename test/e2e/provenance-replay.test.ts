/**
 * A provenance event's content and Replay in real Chromium against the real server: view what a processor saw,
 * download it, replay it into the processor's input and see the replayed FlowFile processed again (in the
 * provenance drawer, then the same detail in the lineage dialog); and, on a server that keeps no content
 * (in-memory queues), the server's reason shown as it is.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import type { ProvenanceEvent } from '../../server/engine/provenance';
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

/** Generate "hello" three times → Tag (UpdateAttribute) → Log (LogAttribute); Tag is the middle processor. */
const FLOW: Flow = {
  schemaVersion: 1,
  id: 'e2e-replay',
  name: 'Replay',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: 'hello', count: 3 },
    },
    {
      id: 'tag',
      type: 'UpdateAttribute',
      name: 'Tag',
      position: { x: 0, y: 220 },
      config: { attributes: { tagged: '"yes"' } },
      autoTerminate: ['failure'],
    },
    {
      id: 'log',
      type: 'LogAttribute',
      name: 'Log',
      position: { x: 0, y: 440 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    },
  ],
  connections: [
    { id: 'gen-tag', source: 'gen', relationships: ['success'], target: 'tag' },
    { id: 'tag-log', source: 'tag', relationships: ['success'], target: 'log' },
  ],
};

const events = (server: SluiceProcess, query: string) =>
  apiJson<ProvenanceEvent[]>(server, 'GET', `/provenance?flowId=${FLOW.id}&limit=1000&${query}`);

let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Saves the flow, starts it and waits until Log has dropped all three FlowFiles. */
async function runFlow(server: SluiceProcess): Promise<void> {
  await apiJson(server, 'POST', '/flows', FLOW);
  await apiJson(server, 'POST', `/flows/${FLOW.id}/start`, {});
  await until(
    'Log to drop the 3 FlowFiles',
    async () => (await events(server, 'componentId=log&type=DROP')).length === 3,
  );
}

/** Opens the flow, then the provenance drawer filtered to Tag, and selects Tag's event of the first FlowFile. */
async function openTagEvent(server: SluiceProcess): Promise<{ page: Page; flowFileId: string }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/#/flows/${FLOW.id}`);
  await byTestId(page, 'proc-tag').waitFor();
  await byTestId(page, 'open-provenance').click();
  await byTestId(page, 'prov-component').selectOption('tag');
  await byTestId(page, 'prov-submit').click();
  await until('only Tag events to be listed', async () => {
    const rows = byTestId(page, 'provenance-row');
    const components = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-component')));
    return components.length === 3 && components.every((c) => c === 'tag');
  });
  const row = byTestId(page, 'provenance-row').last(); // newest first: the last is the first FlowFile's
  const flowFileId = (await row.getAttribute('data-flowfile'))!;
  await row.click();
  await byTestId(page, 'event-detail').waitFor();
  return { page, flowFileId };
}

// Generous limits: the suite shares two cores with the rest of `npm test`; every wait is for a condition.
describe('provenance content and replay (durable repository)', { timeout: 90_000 }, () => {
  let server: SluiceProcess;
  beforeAll(async () => {
    server = await startSluice(['--no-examples']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("view and download a processor's content, replay it and see the replay processed again", async () => {
    await runFlow(server);
    const { page, flowFileId } = await openTagEvent(server);
    await withScreenshot(page, 'provenance-replay', async () => {
      // The size comes from the event; the preview from the content archive, on demand.
      expect(await byTestId(page, 'content-output').textContent()).toContain('Output content (5 B)');
      expect(await byTestId(page, 'content-preview-output').count()).toBe(0);
      await byTestId(page, 'content-view-output').click();
      await textOf(page, 'content-preview-output', 'the output content to show', (t) => t === 'hello');
      expect(await byTestId(page, 'content-preview-output').getAttribute('data-kind')).toBe('text');
      await byTestId(page, 'content-view-input').click();
      await textOf(page, 'content-preview-input', 'the input content to show', (t) => t === 'hello');

      const download = page.waitForEvent('download');
      await byTestId(page, 'content-download-output').click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/^event-\d+-output\.bin$/);
      expect(await readFile(await file.path(), 'utf8')).toBe('hello');

      // Replay: the FlowFile as Tag saw it goes back into gen-tag under a new id.
      await byTestId(page, 'event-replay').click();
      const outcome = await textOf(page, 'replay-outcome', 'the replay to succeed', (t) => t.startsWith('Replayed'));
      const replayed = /^Replayed as (\S+) into gen-tag$/.exec(outcome)?.[1];
      expect(replayed, outcome).toBeTruthy();
      expect(await byTestId(page, 'replay-outcome').getAttribute('data-tone')).toBe('done');
      // The list was searched again: the REPLAY event of the new FlowFile is in it.
      await page.locator(`[data-testid="provenance-row"][data-type="REPLAY"][data-flowfile="${replayed}"]`).waitFor();
      await mkdir(ARTIFACTS, { recursive: true });
      const drawer = byTestId(page, 'drawer-provenance');
      await drawer.screenshot({ path: path.join(ARTIFACTS, 'provenance-replay.png') });
      await byTestId(page, 'content-output').scrollIntoViewIfNeeded();
      await drawer.screenshot({ path: path.join(ARTIFACTS, 'provenance-content.png') });

      // Through the API: the REPLAY names the original as parent, and Tag processed the replayed FlowFile again.
      const replay = (await events(server, 'type=REPLAY')).find((e) => e.flowFileId === replayed)!;
      expect(replay).toMatchObject({ componentId: 'tag', parentIds: [flowFileId], childIds: [replayed] });
      const again = (await until('Tag and Log to process the replayed FlowFile', async () => {
        const found = await events(server, `flowFileId=${replayed}`);
        return found.some((e) => e.componentId === 'log' && e.type === 'DROP') ? found : undefined;
      }))!;
      const tagEvent = again.find((e) => e.componentId === 'tag' && e.type === 'ATTRIBUTES_MODIFIED');
      expect(tagEvent?.attributes).toMatchObject({ tagged: 'yes', 'generate.index': '0' });

      // Searching again lists Tag's new event for the replayed FlowFile, whose content is the original's.
      await byTestId(page, 'prov-submit').click();
      const rerun = page.locator(
        `[data-testid="provenance-row"][data-type="ATTRIBUTES_MODIFIED"][data-flowfile="${replayed}"]`,
      );
      await rerun.click();
      await page.locator(`[data-testid="event-detail"][data-event="${tagEvent!.eventId}"]`).waitFor();
      await byTestId(page, 'content-view-output').click();
      await textOf(page, 'content-preview-output', 'the replayed content to show', (t) => t === 'hello');

      // The lineage dialog shows the same event detail: the original's lineage reaches the replayed FlowFile.
      await page.locator(`[data-testid="provenance-row"][data-flowfile="${flowFileId}"]`).getByRole('button').click();
      const dialog = byTestId(page, 'lineage-dialog');
      await dialog.locator(`[data-testid^="lineage-node-"][data-type="REPLAY"][data-flowfile="${replayed}"]`).waitFor();
      await dialog
        .locator(`[data-testid^="lineage-node-"][data-type="ATTRIBUTES_MODIFIED"][data-flowfile="${replayed}"]`)
        .click();
      await dialog.locator('[data-testid="content-view-input"]').click();
      await dialog.locator('[data-testid="content-preview-input"]').getByText('hello').waitFor();
      await dialog.screenshot({ path: path.join(ARTIFACTS, 'provenance-lineage.png') });
    });
  });
});

describe('provenance content on a server that keeps none (in-memory queues)', { timeout: 90_000 }, () => {
  let server: SluiceProcess;
  beforeAll(async () => {
    server = await startSluice(['--no-examples', '--queues', 'memory']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("View and Replay show the server's reason", async () => {
    await runFlow(server);
    const { page } = await openTagEvent(server);
    await withScreenshot(page, 'provenance-no-content', async () => {
      await byTestId(page, 'content-view-output').click();
      await textOf(page, 'content-error-output', 'the reason no content is shown', (t) =>
        t.includes('content is kept only with durable queues'),
      );
      expect(await byTestId(page, 'content-preview-output').count()).toBe(0);
      await byTestId(page, 'event-replay').click();
      await textOf(page, 'replay-outcome', 'the reason it cannot be replayed', (t) =>
        t.includes('content is kept only with durable queues'),
      );
      expect(await byTestId(page, 'replay-outcome').getAttribute('data-tone')).toBe('failed');
      expect(await events(server, 'type=REPLAY')).toHaveLength(0);
    });
  });
});
