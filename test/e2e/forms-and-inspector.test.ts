/**
 * The config form and the queue inspector in real Chromium against the real server: an edit in one field never
 * undoes a quicker edit in another, and a FlowFile's detail stays open (marked consumed) when a processor takes
 * it, or opens with what the list knew when it was taken before the click.
 */
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import {
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
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A source of `count` FlowFiles (attribute kind=slow) and a sink that drops them. */
function slowFlow(id: string, count: number): Flow {
  return {
    schemaVersion: 2,
    id,
    name: id,
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        name: 'Generate',
        position: { x: 200, y: 60 },
        config: { content: '{"hello":"queue"}', count, batchSize: count, attributes: { kind: 'slow' } },
        schedule: { period: '10ms' },
      },
      {
        id: 'sink',
        type: 'LogAttribute',
        name: 'Sink',
        position: { x: 200, y: 340 },
        config: { logLevel: 'none' },
        autoTerminate: ['success'],
      },
    ],
    connections: [{ id: 'gen-to-sink', source: 'gen', relationships: ['success'], target: 'sink' }],
  } as Flow;
}

interface Status {
  connections: Record<string, { count: number }>;
}

/** Saves `flow`, keeps its sink stopped and runs it until `count` FlowFiles wait in its queue. */
async function queueUp(flow: Flow, count: number): Promise<void> {
  await apiJson(server, 'POST', '/flows', flow);
  await apiJson(server, 'POST', `/flows/${flow.id}/processors/sink/stop`);
  await apiJson(server, 'POST', `/flows/${flow.id}/start`);
  await until(`${count} FlowFiles to wait in ${flow.id}`, async () => {
    const s = await apiJson<Status>(server, 'GET', `/flows/${flow.id}/status`);
    return s.connections['gen-to-sink']?.count === count;
  });
}

async function openFlow(id: string): Promise<{ page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on('console', (m: ConsoleMessage) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  await page.goto(`${server.url}/#/flows/${id}`);
  await byTestId(page, 'proc-gen').waitFor();
  return { page, consoleErrors };
}

/** The id of the `n`th FlowFile listed (its cell's tooltip). */
const rowId = (page: Page, n: number) => byTestId(page, 'queue-row').nth(n).locator('td.mono').getAttribute('title');

describe('the config form', { timeout: 60_000 }, () => {
  test('a map entry typed just before a batch size does not undo the batch size', async () => {
    const flow = slowFlow('form-race', 1);
    await apiJson(server, 'POST', '/flows', flow);
    const { page } = await openFlow(flow.id);
    await withScreenshot(page, 'form-race', async () => {
      await page.locator('.react-flow__node[data-id="gen"] .proc-title').click();
      await byTestId(page, 'processor-panel').waitFor();
      expect(await byTestId(page, 'field-config-batchSize').inputValue()).toBe('1');

      // The user's sequence, each step right after the last (well within the form's 350 ms quiet time).
      await byTestId(page, 'field-config-attributes-add').click();
      await byTestId(page, 'field-config-attributes-key-1').fill('origin');
      await byTestId(page, 'field-config-attributes-value-1').fill('e2e');
      await byTestId(page, 'field-config-batchSize').fill('7');
      await byTestId(page, 'field-config-batchSize').press('Tab');

      // Both edits reach the server, and the batch size field still says 7.
      const saved = await until('the attribute to be saved', async () => {
        const status = await byTestId(page, 'save-status').getAttribute('data-status');
        const f = await apiJson<Flow>(server, 'GET', `/flows/${flow.id}`);
        const config = f.processors[0]!.config as { attributes?: Record<string, string> };
        return status === 'saved' && config.attributes?.origin === 'e2e' ? config : undefined;
      });
      expect(saved).toMatchObject({ batchSize: 7, attributes: { kind: 'slow', origin: 'e2e' } });
      expect(await byTestId(page, 'field-config-batchSize').inputValue()).toBe('7');
      expect(await byTestId(page, 'field-config-attributes-value-1').inputValue()).toBe('e2e');
    });
  });
});

/**
 * Opens the inspector on a queue of 2, then lets the sink drain it while the browser is served the list from
 * before (as if each reload came late); `staleAnswers(n)` then lets only the next n list answers be stale.
 */
async function inspectDrainedBehindStaleList(id: string) {
  const flow = slowFlow(id, 2);
  await queueUp(flow, 2);
  const opened = await openFlow(flow.id);
  const { page } = opened;
  const listed = await apiJson<unknown>(server, 'GET', `/flows/${flow.id}/connections/gen-to-sink/queue?limit=100`);
  let stale = 0;
  await page.route('**/connections/gen-to-sink/queue?*', (route) => {
    if (stale <= 0) return route.continue();
    stale--;
    return route.fulfill({ json: listed });
  });
  await byTestId(page, 'queue-gen-to-sink').click();
  await until('the 2 FlowFiles to be listed', async () => (await byTestId(page, 'queue-row').count()) === 2);
  const ids = [(await rowId(page, 0))!, (await rowId(page, 1))!];
  stale = Number.POSITIVE_INFINITY;
  await apiJson(server, 'POST', `/flows/${flow.id}/processors/sink/start`);
  await until('the drawer to count 0 waiting', async () =>
    (await byTestId(page, 'queue-total').textContent())?.startsWith('0 waiting'),
  );
  expect(await byTestId(page, 'queue-row').count()).toBe(2);
  return {
    ...opened,
    ids,
    staleAnswers: (n: number) => {
      stale = n;
    },
  };
}

describe('the queue inspector', { timeout: 90_000 }, () => {
  test('an open FlowFile stays open when the sink takes it, marked consumed', async () => {
    const flow = slowFlow('inspector-open', 3);
    await queueUp(flow, 3);
    const { page, consoleErrors } = await openFlow(flow.id);
    await withScreenshot(page, 'inspector-consumed', async () => {
      await byTestId(page, 'queue-gen-to-sink').click();
      await until('the 3 FlowFiles to be listed', async () => (await byTestId(page, 'queue-row').count()) === 3);
      const id = (await rowId(page, 0))!;
      await byTestId(page, 'queue-row').first().click();
      const detail = byTestId(page, 'flowfile-detail');
      await byTestId(page, 'flowfile-content').waitFor();
      expect(await detail.textContent()).toContain(id);
      expect(await byTestId(page, 'flowfile-consumed').count()).toBe(0);

      await apiJson(server, 'POST', `/flows/${flow.id}/processors/sink/start`);
      await page.getByText('The queue is empty.').waitFor();

      // The detail is still there, the same FlowFile, with its attributes and content, and marked consumed.
      await byTestId(page, 'flowfile-consumed').waitFor();
      expect(await detail.textContent()).toContain(id);
      expect(await detail.textContent()).toContain('slow');
      expect(await byTestId(page, 'flowfile-content').textContent()).toMatch(/"hello":\s*"queue"/);
      expect(consoleErrors).toEqual([]);
    });
  });

  test('a FlowFile taken before the click opens with what the list knew, without a request for its content', async () => {
    const { page, consoleErrors, staleAnswers, ids } = await inspectDrainedBehindStaleList('inspector-gone');
    await withScreenshot(page, 'inspector-gone', async () => {
      staleAnswers(0);
      await byTestId(page, 'queue-row').nth(1).click();
      await byTestId(page, 'flowfile-consumed').waitFor();
      expect(await byTestId(page, 'flowfile-gone').textContent()).toContain('no longer in this queue');
      expect(await byTestId(page, 'flowfile-detail').textContent()).toContain(ids[1]);
      expect(await byTestId(page, 'flowfile-detail').textContent()).toContain('slow');
      // The click's own look at the queue told: no content request, nothing in the console.
      await page.getByText('The queue is empty.').waitFor();
      expect(consoleErrors).toEqual([]);
    });
  });

  test('a FlowFile whose content the server no longer has is shown gone, with no uncaught error', async () => {
    const { page, consoleErrors, staleAnswers, ids } = await inspectDrainedBehindStaleList('inspector-404');
    await withScreenshot(page, 'inspector-404', async () => {
      // The click's look at the queue still lists it (its answer left before the sink took it): the content
      // request is refused with 404.
      staleAnswers(1);
      await byTestId(page, 'queue-row').first().click();
      await byTestId(page, 'flowfile-consumed').waitFor();
      expect(await byTestId(page, 'flowfile-gone').textContent()).toContain('no longer in this queue');
      expect(await byTestId(page, 'flowfile-detail').textContent()).toContain(ids[0]);
      expect(await byTestId(page, 'flowfile-detail').textContent()).toContain('slow');
      // The list is read again and agrees; the detail stays.
      await page.getByText('The queue is empty.').waitFor();
      expect(await byTestId(page, 'flowfile-consumed').count()).toBe(1);
      expect(await page.locator('.drawer .error-text').count()).toBe(0);
      // The browser reports the refused request itself (a network line); the page logs nothing of its own.
      expect(consoleErrors.some((e) => /Failed to load resource.*404/.test(e))).toBe(true);
      expect(consoleErrors.filter((e) => !/Failed to load resource.*404/.test(e))).toEqual([]);
    });
  });
});
