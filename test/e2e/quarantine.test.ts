/**
 * A connection's quarantine in real Chromium against the real server (durable repository): FlowFiles whose
 * sessions keep failing are set aside, the edge label marks them, the queue inspector lists them with the reason
 * and the failing processor; "Put back" returns them (as REPLAYs) and "Drop all" drops them after a
 * confirmation. A refusal is shown as the server words it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Flow } from '../../flows/flow-schema';
import type { ProvenanceEvent } from '../../server/engine/provenance';
import type { ConnectionStatus } from '../../server/engine/status';
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

/**
 * Generate three FlowFiles → Publish (PublishZeroMQ). Publish's topic expression fails at run time for each of
 * them (a range too large to build, from an attribute). Unlike UpdateAttribute, which sends a failed expression
 * to its `failure` relationship, PublishZeroMQ has none: the error escapes onTrigger and rolls the session back,
 * so after `quarantineAfter` failed sessions the FlowFiles are set aside. PUB on inproc:// needs no peer.
 */
const FLOW: Flow = {
  schemaVersion: 1,
  id: 'e2e-quarantine',
  name: 'Quarantine',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: 'hello', count: 3 },
    },
    {
      id: 'pub',
      type: 'PublishZeroMQ',
      name: 'Publish',
      position: { x: 0, y: 260 },
      config: {
        socketType: 'pub',
        mode: 'connect',
        endpoint: 'inproc://sluice-e2e-quarantine',
        topicExpression: '$string($count([1..$number(attributes."generate.index") + 20000000]))',
      },
      schedule: { penalty: '50ms', yield: '50ms', quarantineAfter: 2 },
      autoTerminate: ['success'],
    },
  ],
  connections: [{ id: 'gen-pub', source: 'gen', relationships: ['success'], target: 'pub' }],
};
const CID = 'gen-pub';
const REASON = 'a sequence would hold more than';

interface QuarantineAnswer {
  count: number;
  flowFiles: { id: string; attributes: Record<string, string> }[];
}

const connection = async (server: SluiceProcess) =>
  (await apiJson<{ connections: Record<string, ConnectionStatus> }>(server, 'GET', `/flows/${FLOW.id}/status`))
    .connections[CID]!;
const quarantine = (server: SluiceProcess) =>
  apiJson<QuarantineAnswer>(server, 'GET', `/flows/${FLOW.id}/connections/${CID}/quarantine`);
const events = (server: SluiceProcess, query: string) =>
  apiJson<ProvenanceEvent[]>(server, 'GET', `/provenance?flowId=${FLOW.id}&limit=1000&${query}`);

/** The ids of the quarantined FlowFiles listed in the inspector, once there are `n` of them. */
async function listedIds(page: Page, n: number): Promise<string[]> {
  return until(`${n} quarantined FlowFiles to be listed`, async () => {
    const ids = await byTestId(page, 'quarantine-row').evaluateAll((rows) =>
      rows.map((r) => r.getAttribute('data-flowfile') ?? ''),
    );
    return ids.length === n ? ids : undefined;
  }) as Promise<string[]>;
}

let browser: Browser;
let server: SluiceProcess;

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(['--no-examples']), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

// Generous limits: the suite shares two cores with the rest of `npm test`; every wait is for a condition.
describe('quarantine', { timeout: 90_000 }, () => {
  test('the edge marks poison FlowFiles; the inspector lists why, puts them back and drops them', async () => {
    await apiJson(server, 'POST', '/flows', FLOW);
    await apiJson(server, 'POST', `/flows/${FLOW.id}/start`, {});

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/#/flows/${FLOW.id}`);
    await byTestId(page, 'proc-pub').waitFor();

    await withScreenshot(page, 'quarantine', async () => {
      // The label marks the three as soon as the live status counts them; nothing waits in the queue itself.
      await textOf(page, `queue-quarantine-${CID}`, 'the quarantine marker', (t) => t === '⚠ 3 quarantined');
      expect(await connection(server)).toMatchObject({ count: 0, quarantined: 3 });

      // The inspector opens on the quarantine: each FlowFile with the failing processor and the reason.
      await byTestId(page, `queue-${CID}`).click();
      expect(await byTestId(page, 'inspector-tab-quarantine').getAttribute('aria-selected')).toBe('true');
      const first = await listedIds(page, 3);
      expect(new Set(first)).toEqual(new Set((await quarantine(server)).flowFiles.map((f) => f.id)));
      for (const text of await byTestId(page, 'quarantine-processor').allTextContents())
        expect(text).toBe('Publish ×2');
      for (const text of await byTestId(page, 'quarantine-reason').allTextContents()) expect(text).toContain(REASON);
      await byTestId(page, 'quarantine-row').first().click();
      const detail = byTestId(page, 'quarantine-detail');
      await detail.getByText('sluice.quarantine.reason').waitFor();
      expect(await detail.textContent()).toContain('generate.index');
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'quarantine.png') });

      // Put back: each returns as a new FlowFile (a REPLAY of the quarantined one), fails twice again (the
      // expression still fails) and is set aside again under its new id.
      await byTestId(page, 'quarantine-requeue').click();
      await textOf(page, 'quarantine-outcome', 'the put back to be reported', (t) => t.startsWith('Put back 3'));
      const replays = await events(server, 'type=REPLAY');
      expect(replays.map((e) => e.parentIds[0]).sort()).toEqual([...first].sort());
      const second = await until('the three put back to be quarantined again', async () => {
        const ids = (await quarantine(server)).flowFiles.map((f) => f.id);
        return ids.length === 3 && ids.every((id) => !first.includes(id)) ? ids : undefined;
      });
      expect(new Set(second)).toEqual(new Set(replays.map((e) => e.flowFileId)));
      expect(new Set(await listedIds(page, 3))).toEqual(new Set(second));
      await textOf(page, `queue-quarantine-${CID}`, 'the marker to count them again', (t) => t === '⚠ 3 quarantined');

      // A refusal (as a role without the right gets from the server) is shown in the server's words.
      await page.route(`**/api/flows/${FLOW.id}/connections/${CID}/quarantine`, (route) =>
        route.request().method() === 'DELETE'
          ? route.fulfill({
              status: 403,
              contentType: 'application/json',
              body: JSON.stringify({ error: 'dropping FlowFiles needs the operator role', details: [] }),
            })
          : route.continue(),
      );
      await byTestId(page, 'quarantine-drop').click();
      await byTestId(page, 'confirm').click();
      await textOf(page, 'quarantine-outcome', 'the refusal to be shown', (t) => t.startsWith('Dropping failed'));
      expect(await byTestId(page, 'quarantine-outcome').textContent()).toBe(
        'Dropping failed: dropping FlowFiles needs the operator role',
      );
      expect(await byTestId(page, 'quarantine-outcome').getAttribute('data-tone')).toBe('failed');
      expect((await quarantine(server)).count).toBe(3);
      await page.unrouteAll();

      // Drop all, confirmed: the list empties, the marker goes away, and the server holds none of them.
      await byTestId(page, 'quarantine-drop').click();
      await byTestId(page, 'confirm-dialog').getByText('Drop all 3 FlowFiles quarantined in "gen-pub"?').waitFor();
      await byTestId(page, 'confirm').click();
      await textOf(page, 'quarantine-outcome', 'the drop to be reported', (t) =>
        t.startsWith('Dropped 3 FlowFiles from the quarantine.'),
      );
      expect(await byTestId(page, 'quarantine-outcome').getAttribute('data-tone')).toBe('done');
      await byTestId(page, `queue-quarantine-${CID}`).waitFor({ state: 'detached' });
      await page.getByText('Nothing is quarantined here.').waitFor();
      await textOf(page, 'inspector-tab-quarantine', 'the tab to count none', (t) => t === 'Quarantine 0');
      await page.screenshot({ path: path.join(ARTIFACTS, 'quarantine-dropped.png') });

      expect(await connection(server)).toMatchObject({ count: 0, quarantined: 0 });
      expect(await quarantine(server)).toMatchObject({ count: 0, flowFiles: [] });
      const drops = await events(server, 'type=DROP');
      expect(new Set(drops.map((e) => e.flowFileId))).toEqual(new Set(second));
    });
  });
});
