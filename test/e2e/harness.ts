/**
 * End-to-end harness: the real `sluice serve` process on a free port with a temporary data directory, the
 * built UI (rebuilt first when ui/ sources are newer than ui/dist), and Debian's Chromium driven headless by
 * playwright-core. Helpers wait for conditions, never for fixed times, and save a screenshot on failure.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { freePort } from '../helpers/ports';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const UI = path.join(ROOT, 'ui');
const DIST_INDEX = path.join(UI, 'dist', 'index.html');
export const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function uiIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const sources = Math.max(
    newestMtime(path.join(UI, 'src')),
    statSync(path.join(UI, 'index.html')).mtimeMs,
    statSync(path.join(UI, 'vite.config.ts')).mtimeMs,
  );
  return sources > statSync(DIST_INDEX).mtimeMs;
}

/** Builds ui/dist when it is missing or older than its sources (one builder at a time, across processes). */
export async function ensureUiBuilt(): Promise<void> {
  if (!uiIsStale()) return;
  const lock = path.join(UI, '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
      if (!uiIsStale()) return;
    }
  }
  try {
    if (!uiIsStale()) return;
    const { build } = await import('vite');
    // Vitest sets NODE_ENV=test, which Vite would bake into the bundle (React's development build): build what
    // `npm install` builds and users run.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: path.join(UI, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface SluiceProcess {
  url: string;
  dataDir: string;
  /** The server's process id (e.g. to pause it with SIGSTOP). */
  pid: number;
  /** What the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node bin/sluice.mjs serve` as a child process and waits for /healthz. */
export async function startSluice(extraArgs: string[] = []): Promise<SluiceProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'sluice.mjs'), 'serve', '--port', String(port), '--data', dataDir, ...extraArgs],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sluice serve exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sluice serve did not answer /healthz within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Runs `steps`; on failure saves test/artifacts/<name>.png (and the page's errors) before rethrowing. */
export async function withScreenshot(page: Page, name: string, steps: () => Promise<void>): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    await steps();
  } catch (err) {
    await mkdir(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    const extra = errors.length > 0 ? `\npage errors:\n${errors.join('\n')}` : '';
    (err as Error).message += `\nscreenshot: ${path.relative(ROOT, file)}${extra}`;
    throw err;
  }
}

/** Polls `check` until it returns a truthy value (returned), or fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const byTestId = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`);

/** The text of a test id once it satisfies `predicate`. */
export function textOf(page: Page, id: string, what: string, predicate: (text: string) => boolean): Promise<string> {
  return until(what, async () => {
    const text = (await byTestId(page, id).first().textContent({ timeout: 1000 }))?.trim() ?? '';
    return predicate(text) ? text : '';
  });
}

/** Drags from one element's centre to another's (React Flow connects on pointer events). */
export async function dragBetween(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('an element to drag between is not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + 10, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** The JSON API, for arranging and checking state the UI shows. */
export async function apiJson<T>(server: SluiceProcess, method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api${url}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
