/**
 * The live status stream in real Chromium under load: with the example flows and eight more busy flows pushing
 * status every second, the counters of a newly created flow open on the canvas keep up with what the API says,
 * and the live indicator turns amber ("updates late") when the server goes quiet, green again when it is back.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

const count = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

/**
 * The product asks for the canvas to show a count within 2 s of the API; the stream pushes every second. This
 * bound is looser (a 2-core machine shared with other test runs) but far below "never", which is what failed.
 */
const KEEP_UP_MS = 6_000;

interface Status {
  processors: Record<string, { lastFiveMinutes: { out: number } }>;
  connections: Record<string, { count: number }>;
}

/** A generator feeding a chain of four UpdateAttribute steps into a sink: its status changes every tick. */
function busyFlow(i: number) {
  const steps = ['a', 'b', 'c', 'd'];
  const ids = ['gen', ...steps, 'sink'];
  return {
    schemaVersion: 1,
    id: `busy-${i}`,
    name: `Busy ${i}`,
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        name: 'Generate',
        config: { content: 'hello', count: 0, batchSize: 1 },
        schedule: { period: '50ms' },
      },
      ...steps.map((s) => ({
        id: s,
        type: 'UpdateAttribute',
        name: `Step ${s}`,
        config: { attributes: { [`step.${s}`]: '"done"' } },
        autoTerminate: ['failure'],
      })),
      { id: 'sink', type: 'LogAttribute', name: 'Sink', config: { logLevel: 'none' }, autoTerminate: ['success'] },
    ],
    connections: ids.slice(1).map((target, k) => ({
      id: `c${k}`,
      source: ids[k]!,
      relationships: ['success'],
      target,
    })),
  };
}

/** The flow the user watches: 1000 FlowFiles into a queue whose consumer is stopped, so both counters grow. */
const watched = {
  schemaVersion: 1,
  id: 'zz-watched',
  name: 'Watched',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: 'hello', count: 1000, batchSize: 2 },
      schedule: { period: '20ms' },
    },
    {
      id: 'log',
      type: 'LogAttribute',
      name: 'Log',
      position: { x: 0, y: 250 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    },
  ],
  connections: [{ id: 'gen-to-log', source: 'gen', relationships: ['success'], target: 'log' }],
};

let server: SluiceProcess;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  for (let i = 0; i < 8; i++) {
    await apiJson(server, 'POST', '/flows', busyFlow(i));
    await apiJson(server, 'POST', `/flows/busy-${i}/start`);
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openApp(hash: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/${hash}`);
  await byTestId(page, 'palette-GenerateFlowFile').waitFor();
  return page;
}

const liveState = (page: Page) => byTestId(page, 'live-indicator').getAttribute('data-state', { timeout: 1000 });

describe('live status under load', () => {
  test("a new flow's counters on the canvas keep up with the API while many flows are running", async () => {
    await apiJson(server, 'POST', '/flows', watched);
    await apiJson(server, 'POST', '/flows/zz-watched/processors/log/stop');
    const page = await openApp('#/flows/zz-watched');
    await withScreenshot(page, 'live-status-keeps-up', async () => {
      await byTestId(page, 'proc-gen').waitFor();
      await textOf(page, 'live', 'the event stream to connect', (t) => t === '◉');
      await apiJson(server, 'POST', '/flows/zz-watched/start');

      // Read the API, then the canvas must show at least that much soon after; again as the counts grow.
      let last = 0;
      for (let round = 0; round < 5; round++) {
        const api = await until(
          round < 4 ? `the flow to produce ${last + 100}` : 'the flow to produce all 1000',
          async () => {
            const s = await apiJson<Status>(server, 'GET', '/flows/zz-watched/status');
            const out = s.processors.gen!.lastFiveMinutes.out;
            const queued = s.connections['gen-to-log']!.count;
            if (round < 4 ? out >= last + 100 : out === 1000) return { out, queued };
            throw new Error(`the API says ${out} out`);
          },
          60_000,
        );
        last = api.out;
        await until(
          `the canvas to show ${api.out} out and ${api.queued} queued (round ${round})`,
          async () => {
            const out = count(await byTestId(page, 'proc-out-gen').textContent({ timeout: 1000 }));
            const queued = count(await byTestId(page, 'queue-count-gen-to-log').textContent({ timeout: 1000 }));
            if (out >= api.out && queued >= api.queued) return true;
            throw new Error(`the canvas shows ${out} out, ${queued} queued`);
          },
          KEEP_UP_MS,
        );
      }
      expect(count(await byTestId(page, 'proc-out-gen').textContent())).toBe(1000);
      expect(count(await byTestId(page, 'queue-count-gen-to-log').textContent())).toBe(1000);
    });
    await page.context().close();
  }, 120_000);

  test('the live indicator turns amber when the server stops sending, and green when it is back', async () => {
    const page = await openApp('');
    await withScreenshot(page, 'live-status-late', async () => {
      await until('the indicator to be live', async () => (await liveState(page)) === 'live');
      expect(await byTestId(page, 'live-indicator').getAttribute('title')).toMatch(/live/i);
      process.kill(server.pid, 'SIGSTOP');
      try {
        // Late after 2.5 heartbeats (2 s each) of silence: the socket is still open, so it is not "offline".
        await until('the indicator to turn amber', async () => (await liveState(page)) === 'late', 20_000);
        expect(await byTestId(page, 'live-indicator').textContent()).toMatch(/late/);
      } finally {
        process.kill(server.pid, 'SIGCONT');
      }
      await until('the indicator to be live again', async () => (await liveState(page)) === 'live', 20_000);
    });
    await page.context().close();
  }, 90_000);
});
