/**
 * Logging in, in real Chromium against the real server: users added with `sluice users add` while it runs; a
 * viewer sees the flows without edit or start controls (and the server refuses a start anyway); an admin logs
 * in after the viewer logs out and starts the flow, which the audit log records.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  apiJson,
  byTestId,
  ensureUiBuilt,
  launchChromium,
  ROOT,
  type SluiceProcess,
  startSluice,
  textOf,
  until,
  withScreenshot,
} from './harness';

const PASSWORD = 'e2e password 1';

const flow = {
  schemaVersion: 1,
  id: 'demo',
  name: 'Demo',
  processors: [
    {
      id: 'gen',
      type: 'GenerateFlowFile',
      name: 'Generate',
      position: { x: 0, y: 0 },
      config: { content: 'hello', count: 0 },
      schedule: { period: '500ms' },
    },
    {
      id: 'log',
      type: 'LogAttribute',
      name: 'Log',
      position: { x: 0, y: 220 },
      config: { logLevel: 'none' },
      autoTerminate: ['success'],
    },
  ],
  connections: [{ id: 'gen-to-log', source: 'gen', relationships: ['success'], target: 'log' }],
};

let server: SluiceProcess;
let browser: Browser;

function addUser(name: string, role: string): void {
  const run = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'sluice.mjs'),
      'users',
      'add',
      name,
      '--role',
      role,
      '--password-stdin',
      '--data',
      server.dataDir,
    ],
    { cwd: ROOT, input: `${PASSWORD}\n`, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`sluice users add ${name}: ${run.stderr}`);
}

beforeAll(async () => {
  await ensureUiBuilt();
  [server, browser] = await Promise.all([startSluice(['--no-examples']), launchChromium()]);
  await apiJson(server, 'POST', '/flows', flow); // before there are users: the server is open
  addUser('vera', 'viewer');
  addUser('adam', 'admin');
  // The server re-reads the users file within a second.
  await until('the server to ask for credentials', async () => (await fetch(`${server.url}/api/flows`)).status === 401);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function logIn(page: Page, name: string): Promise<void> {
  await byTestId(page, 'login-dialog').waitFor();
  await byTestId(page, 'login-username').fill(name);
  await byTestId(page, 'login-password').fill(PASSWORD);
  await byTestId(page, 'login-submit').click();
  await byTestId(page, 'login-dialog').waitFor({ state: 'detached' });
}

describe('logging in', { timeout: 90_000 }, () => {
  test('a viewer sees the flow without edit or start controls; an admin starts it', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await withScreenshot(page, 'login', async () => {
      await page.goto(server.url);

      // A wrong password is refused on the page.
      await byTestId(page, 'login-username').fill('vera');
      await byTestId(page, 'login-password').fill('not the password');
      await byTestId(page, 'login-submit').click();
      await textOf(page, 'login-error', 'the refusal', (t) => /wrong user name or password/.test(t));

      await byTestId(page, 'login-password').fill(PASSWORD);
      await byTestId(page, 'login-submit').click();
      await byTestId(page, 'login-dialog').waitFor({ state: 'detached' });

      // The viewer sees the flow, who is logged in, and it goes live through the cookie.
      await textOf(page, 'current-user', 'the user badge', (t) => t === 'vera · viewer');
      await page.locator('[data-testid="proc-gen"]').waitFor();
      expect(await byTestId(page, 'flow-picker').inputValue()).toBe('demo');
      await textOf(page, 'live', 'the event stream to connect', (t) => t === '◉');
      await byTestId(page, 'view-only').waitFor();
      for (const id of ['new-flow', 'import', 'flow-start', 'flow-stop', 'save-status'])
        expect(await byTestId(page, id).count(), id).toBe(0);
      expect(await byTestId(page, 'palette-GenerateFlowFile').isDisabled()).toBe(true);
      expect(await byTestId(page, 'flow-name').getAttribute('readonly')).not.toBeNull();

      await page.locator('[data-testid="proc-gen"]').click();
      await byTestId(page, 'processor-panel').waitFor();
      expect(await byTestId(page, 'processor-start').count()).toBe(0);
      expect(await byTestId(page, 'processor-delete').isHidden()).toBe(true);
      await byTestId(page, 'readonly-banner').waitFor();

      // Even a hand-made request from the page is refused by the server: the role is the server's to enforce.
      const refused = await page.evaluate(async () => {
        const res = await fetch('/api/flows/demo/start', { method: 'POST', headers: { 'X-Sluice-Request': '1' } });
        return { status: res.status, body: await res.json() };
      });
      expect(refused).toEqual({
        status: 403,
        body: { error: 'POST /api/flows/demo/start needs the operator role; "vera" has viewer', details: [] },
      });

      // Log out: the login page again; the cookie no longer works.
      await byTestId(page, 'logout').click();
      await logIn(page, 'adam');
      await textOf(page, 'current-user', 'the user badge', (t) => t === 'adam · admin');
      await byTestId(page, 'new-flow').waitFor();
      await byTestId(page, 'save-status').waitFor();
      await byTestId(page, 'flow-start').click();
      await textOf(page, 'flow-state', 'the flow to run', (t) => t.includes('Running'));
      await byTestId(page, 'flow-stop').waitFor();
    });

    const audit = (await readFile(path.join(server.dataDir, 'audit.log'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { username: string; action: string; path: string; status: number });
    expect(audit.map(({ username, action, path: p, status }) => `${username} ${action} ${p} ${status}`)).toEqual([
      'null POST /api/flows 201', // before there were users: anonymous
      'vera login /api/login 401',
      'vera login /api/login 200',
      'vera POST /api/flows/demo/start 403',
      'vera logout /api/logout 204',
      'adam login /api/login 200',
      'adam POST /api/flows/demo/start 200',
    ]);
    await context.close();
  });
});
