/**
 * `npm run bench:canvas`: the canvas at scale in headless Chromium. Builds the UI for production into a
 * directory of its own (ui/dist may be a development build, and other work may rebuild it meanwhile), starts a
 * real `sluice serve` (the e2e harness) with the pages served from that build, creates flows of 100, 500 and 1,000 processors through the API (bench/canvas-flows.ts) and, for
 * each, in a fresh page: the time from navigation to every card in view rendered (measured in the page), the
 * frame rate and frame times while the view pans for 2 s at a readable zoom (0.8), at a zoomed-out one below
 * the level-of-detail threshold (0.3) and with the whole flow in view (0.1, the minimum zoom), and the page's JS
 * heap. Prints a table and writes bench/results/<date>-canvas[-label].json.
 * Options: `--sizes 100,500`, `--runs 3` (the median is reported, with the spread), `--label baseline`,
 * `--ui <dir>` (serve an existing build instead, e.g. one made before a change, to compare both under the same
 * load).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Flow } from '../flows/flow-schema';
import { apiJson, launchChromium, ROOT, type SluiceProcess, startSluice } from '../test/e2e/harness';
import { largeFlow } from './canvas-flows';

const opts = new Command()
  .option('--sizes <list>', 'comma-separated processor counts', '100,500,1000')
  .option('--runs <n>', 'runs per size (fresh page each)', '3')
  .option('--label <name>', 'suffix of the results file, e.g. baseline')
  .option('--ui <dir>', 'serve this UI build instead of building ui/ afresh')
  .parse()
  .opts<{ sizes: string; runs: string; label?: string; ui?: string }>();

const VIEWPORT = { width: 1440, height: 900 };
/** Zooms the view pans at: cards readable, below the level-of-detail threshold, the whole flow in view. */
const PAN_ZOOMS = { readable: 0.8, zoomedOut: 0.3, whole: 0.1 };
type PanName = keyof typeof PAN_ZOOMS;
const PAN_MS = 2000;
/** Screen pixels per millisecond: a steady drag of half a screen a second. */
const PAN_SPEED = 0.5;

interface OpenFigures {
  ms: number;
  zoom: number;
  cardsInView: number;
}
interface PanFigures {
  fps: number;
  p50: number;
  p95: number;
  max: number;
  cardsInView: number;
}
interface Run {
  size: number;
  open: OpenFigures;
  pans: Record<PanName, PanFigures>;
  heapMb: number;
}

/**
 * Runs in the page before the app: turns the test hooks on and watches every frame until each card whose
 * saved position lies in view is rendered (React Flow shows a node once measured) and has stayed so, under an
 * unchanged viewport, for 500 ms. Resolves `window.__canvasOpen` with the first frame of that state, in ms since
 * navigation started.
 */
function watchOpening(positions: [string, number, number][]): void {
  const w = globalThis as any;
  w.__SLUICE_TEST_HOOKS__ = {};
  w.__canvasOpen = new Promise((resolve) => {
    let since: number | null = null;
    let lastTransform = '';
    const frame = (now: number) => {
      const viewport = w.document.querySelector('.react-flow__viewport');
      const pane = w.document.querySelector('.react-flow');
      const m =
        viewport && /translate\(([-\d.e]+)px, ?([-\d.e]+)px\) scale\(([-\d.e]+)\)/.exec(viewport.style.transform);
      if (m) {
        const [tx, ty, k] = [Number(m[1]), Number(m[2]), Number(m[3])];
        const rendered = new Set<string>();
        for (const el of w.document.querySelectorAll('.react-flow__node'))
          if (el.style.visibility !== 'hidden') rendered.add(el.getAttribute('data-id'));
        let expected = 0;
        let missing = 0;
        // 200 × 100: smaller than any card, so a card React Flow may leave out at the edge is not expected.
        for (const [id, x, y] of positions) {
          const sx = x * k + tx;
          const sy = y * k + ty;
          if (sx < pane.clientWidth && sx + 200 * k > 0 && sy < pane.clientHeight && sy + 100 * k > 0) {
            expected++;
            if (!rendered.has(id)) missing++;
          }
        }
        const complete = expected > 0 && missing === 0;
        if (!complete) since = null;
        else if (since === null || viewport.style.transform !== lastTransform) since = now;
        else if (now - since >= 500) {
          resolve({ ms: Math.round(since), zoom: k, cardsInView: expected });
          return;
        }
        lastTransform = viewport.style.transform;
      }
      w.requestAnimationFrame(frame);
    };
    w.requestAnimationFrame(frame);
  });
}

/**
 * Runs in the page: puts the view at `zoom` on the busiest spot of the flow (the card with the most cards
 * around it within a view's reach), lets it settle, then pans left at `speed` px/ms for `ms`, one viewport step
 * per animation frame, and reports the frame rate and frame times.
 */
type PanArgs = [zoom: number, positions: [string, number, number][], ms: number, speed: number];
function pan([zoom, positions, ms, speed]: PanArgs): Promise<PanFigures> {
  const w = globalThis as any;
  const vp = w.__SLUICE_TEST_HOOKS__.viewport;
  const pane = w.document.querySelector('.react-flow');
  const reach = { x: pane.clientWidth / zoom / 2, y: pane.clientHeight / zoom / 2 };
  let centre = positions[0]!;
  let most = -1;
  for (const p of positions) {
    const around = positions.filter((q) => Math.abs(q[1] - p[1]) < reach.x && Math.abs(q[2] - p[2]) < reach.y).length;
    if (around > most) [centre, most] = [p, around];
  }
  const x0 = pane.clientWidth / 2 - (centre[1] + 135) * zoom;
  const y0 = pane.clientHeight / 2 - (centre[2] + 70) * zoom;
  vp.set({ x: x0, y: y0, zoom });
  const frames = () => new Promise<number>((resolve) => w.requestAnimationFrame((t: number) => resolve(t)));
  return (async () => {
    // Settle: a second of frames after the jump, and then five quick frames in a row (or 10 s).
    const jumped = await frames();
    let quick = 0;
    let last = jumped;
    while (last - jumped < 10_000 && (last - jumped < 1000 || quick < 5)) {
      const t = await frames();
      quick = t - last < 40 ? quick + 1 : 0;
      last = t;
    }
    const box = pane.getBoundingClientRect();
    const cardsInView = [...w.document.querySelectorAll('.react-flow__node')].filter((el: any) => {
      const r = el.getBoundingClientRect();
      return r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom;
    }).length;
    const start = await frames();
    const times: number[] = [];
    let previous = start;
    for (;;) {
      const t = await frames();
      times.push(t - previous);
      previous = t;
      if (t - start >= ms) break;
      vp.set({ x: x0 - speed * (t - start), y: y0, zoom });
    }
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
    return {
      fps: Math.round((times.length / ((previous - start) / 1000)) * 10) / 10,
      p50: at(0.5),
      p95: at(0.95),
      max: Math.round(sorted.at(-1)! * 10) / 10,
      cardsInView,
    };
  })();
}

/** A production build of ui/ in a temporary directory. */
async function buildUi(): Promise<string> {
  process.env.NODE_ENV = 'production';
  const outDir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-ui-'));
  const { build } = await import('vite');
  await build({
    configFile: path.join(ROOT, 'ui', 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** Answers every request but the API's from `dir`. */
async function serveUiFrom(context: BrowserContext, server: SluiceProcess, dir: string): Promise<void> {
  await context.route(`${server.url}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    const file = path.join(path.resolve(dir), pathname === '/' ? 'index.html' : pathname);
    if (pathname.startsWith('/api') || !existsSync(file)) await route.continue();
    else await route.fulfill({ path: file });
  });
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  return Math.round((used / 2 ** 20) * 10) / 10;
}

async function measure(browser: Browser, server: SluiceProcess, ui: string, flow: Flow): Promise<Run> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    await serveUiFrom(context, server, ui);
    const page = await context.newPage();
    const positions = flow.processors.map((p) => [p.id, p.position!.x, p.position!.y] as [string, number, number]);
    // tsx keeps function names with a `__name` helper: the functions sent to the page need it there too.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.addInitScript(watchOpening, positions);
    await page.goto(`${server.url}/#/flows/${flow.id}`);
    const open = await withTimeout(
      page.evaluate(() => (globalThis as any).__canvasOpen as Promise<OpenFigures>),
      120_000,
      `flow ${flow.id} to open`,
    );
    const panAt = (zoom: number) => page.evaluate(pan, [zoom, positions, PAN_MS, PAN_SPEED] as PanArgs);
    const pans = {} as Record<PanName, PanFigures>;
    for (const [name, zoom] of Object.entries(PAN_ZOOMS)) pans[name as PanName] = await panAt(zoom);
    return { size: flow.processors.length, open, pans, heapMb: await heapMb(page) };
  } finally {
    await context.close();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;

async function main(): Promise<void> {
  const ui = opts.ui ?? (await buildUi());
  const [server, browser] = await Promise.all([startSluice(), launchChromium()]);
  const chromium = browser.version();
  const raw: Run[] = [];
  const rows: Record<string, unknown>[] = [];
  try {
    for (const size of opts.sizes.split(',').map(Number)) {
      const flow = largeFlow(size);
      await apiJson(server, 'POST', '/flows', flow);
      const runs: Run[] = [];
      for (let i = 0; i < Number(opts.runs); i++) {
        const run = await measure(browser, server, ui, flow);
        process.stderr.write(`${size}: ${JSON.stringify(run)}\n`);
        runs.push(run);
      }
      raw.push(...runs);
      rows.push({
        processors: size,
        connections: flow.connections.length,
        'open ms': spread(runs.map((r) => r.open.ms)),
        'zoom at open': Math.round(median(runs.map((r) => r.open.zoom)) * 100) / 100,
        'cards at open': median(runs.map((r) => r.open.cardsInView)),
        ...Object.fromEntries(
          Object.entries(PAN_ZOOMS).flatMap(([name, zoom]) => [
            [`fps @${zoom}`, spread(runs.map((r) => r.pans[name as PanName].fps))],
            [`frame p50/p95/max @${zoom}`, frameTimes(runs.map((r) => r.pans[name as PanName]))],
          ]),
        ),
        'heap MB': median(runs.map((r) => r.heapMb)),
      });
    }
  } finally {
    await browser.close();
    await server.stop();
    if (!opts.ui) await rm(ui, { recursive: true, force: true });
  }
  console.table(rows);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    chromium,
    viewport: VIEWPORT,
  };
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `${new Date().toISOString().slice(0, 10)}-canvas${opts.label ? `-${opts.label}` : ''}.json`,
  );
  const settings = {
    panZooms: PAN_ZOOMS,
    panMs: PAN_MS,
    panSpeedPxPerMs: PAN_SPEED,
    runs: Number(opts.runs),
    ui: opts.ui ?? 'ui/ built for production',
  };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, settings, rows, raw }, null, 2)}\n`);
  console.log(`written ${path.relative(ROOT, file)}`);
}

/** The median run's p50 / p95 / max frame times. */
function frameTimes(pans: PanFigures[]): string {
  const byFps = [...pans].sort((a, b) => a.fps - b.fps);
  const m = byFps[Math.floor(byFps.length / 2)]!;
  return `${m.p50} / ${m.p95} / ${m.max}`;
}

await main();
