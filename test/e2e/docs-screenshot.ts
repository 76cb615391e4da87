/**
 * Regenerates docs/canvas.png, the README's picture of the canvas: a real server running the demo flow in
 * fixtures/docs-demo.json until its throttled connection is backpressured, in headless Chromium.
 *
 *   node --import tsx test/e2e/docs-screenshot.ts
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { apiJson, byTestId, ensureUiBuilt, launchChromium, ROOT, startSluice } from './harness';

const flow = JSON.parse(await readFile(path.join(import.meta.dirname, 'fixtures', 'docs-demo.json'), 'utf8'));
await ensureUiBuilt();
const [server, browser] = await Promise.all([startSluice(), launchChromium()]);
try {
  // Only the demo runs: the example flows a fresh server starts are stopped.
  for (const f of await apiJson<{ id: string }[]>(server, 'GET', '/flows'))
    await apiJson(server, 'POST', `/flows/${f.id}/stop`);
  await apiJson(server, 'POST', '/flows/import', flow);
  await apiJson(server, 'POST', `/flows/${flow.id}/start`);
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(`${server.url}/#/flows/${flow.id}`);
  await byTestId(page, 'queue-bp-route-to-throttle').waitFor({ timeout: 60_000 });
  await page.locator('.react-flow__node[data-id="throttle"] .proc-title').click();
  await byTestId(page, 'processor-panel').waitFor();
  await page.mouse.move(0, 500);
  const file = path.join(ROOT, 'docs', 'canvas.png');
  await page.screenshot({ path: file });
  console.log(`wrote ${path.relative(ROOT, file)}`);
} finally {
  await browser.close();
  await server.stop();
}
