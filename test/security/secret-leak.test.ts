/**
 * The secret-grep test: a real `sluice serve` runs a flow whose sensitive parameter (a broker password) is used
 * by a connector to a port where nothing listens, so start failures, bulletins and log lines happen. Then every
 * API that could show it is called, the server stops, and everything it wrote (each file under the data
 * directory, binary ones too; its stdout and stderr; the export; every API answer) is searched for the secret,
 * raw, URL-encoded, in base64 and in hex: zero hits. A positive control proves the search works: a marker in a
 * plain parameter, used by the same flow, is found in the data directory, the log and the API answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait-for';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = `canary-${randomBytes(12).toString('hex')}`;
const MARKER = `marker-${randomBytes(12).toString('hex')}`;

/** Every form the secret could be written in. */
function forms(value: string): Buffer[] {
  const bytes = Buffer.from(value, 'utf8');
  return [
    bytes,
    Buffer.from(encodeURIComponent(value)),
    Buffer.from(bytes.toString('base64').replace(/=+$/, '')),
    Buffer.from(bytes.toString('hex')),
    Buffer.from(value, 'utf16le'),
  ];
}

/** The places (file names, or labels) where any form of `value` occurs. */
function hits(haystacks: Map<string, Buffer>, value: string): string[] {
  const needles = forms(value);
  return [...haystacks].filter(([, data]) => needles.some((n) => data.includes(n))).map(([where]) => where);
}

async function filesUnder(dir: string, out = new Map<string, Buffer>()): Promise<Map<string, Buffer>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await filesUnder(full, out);
    else if (entry.isFile()) out.set(full, await readFile(full));
  }
  return out;
}

let child: ChildProcess | undefined;
let dataDir: string | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('no trace of a sensitive value in anything the server wrote or answered', async () => {
  const port = await freePort();
  const deadBroker = await freePort(); // nothing listens there
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-leak-'));
  child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'sluice.mjs'), 'serve', '--port', String(port), '--data', dataDir, '--no-examples'],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'debug', LOG_FORMAT: 'json', SLUICE_TOKEN: '', SLUICE_SECRETS_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => stdout.push(c));
  child.stderr!.on('data', (c: Buffer) => stderr.push(c));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok,
    'the server to answer',
    30_000,
  );

  const answers = new Map<string, Buffer>();
  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Sluice-Request': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = Buffer.from(await response.arrayBuffer());
    answers.set(`${method} ${url} (${response.status})`, data);
    return { status: response.status, data, json: () => JSON.parse(data.toString('utf8')) };
  };

  const flow = {
    schemaVersion: 2,
    id: 'leak',
    name: 'Leak check',
    parameterContexts: [
      {
        id: 'prod',
        parameters: [
          { name: 'rabbit.password', value: SECRET, sensitive: true },
          { name: 'marker', value: MARKER },
        ],
      },
    ],
    parameterContext: 'prod',
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        config: { content: 'payload #{marker}', attributes: { note: '#{marker}' }, count: 5 },
        schedule: { period: '20ms' },
      },
      { id: 'log', type: 'LogAttribute', config: { prefix: '#{marker} ', logLevel: 'warn' } },
      {
        id: 'publish',
        type: 'PublishAMQP',
        config: {
          url: `amqp://app:#{rabbit.password}@127.0.0.1:${deadBroker}/`,
          username: 'app',
          password: '#{rabbit.password}',
          exchange: 'readings',
        },
        autoTerminate: ['success', 'failure'],
      },
    ],
    connections: [
      { id: 'gen-log', source: 'gen', relationships: ['success'], target: 'log' },
      { id: 'log-publish', source: 'log', relationships: ['success'], target: 'publish' },
    ],
  };

  expect((await call('POST', '/api/flows', flow)).status).toBe(201);
  const started = await call('POST', '/api/flows/leak/start');
  expect(started.status).toBe(200);
  // The connector fails to start: the reason is reported (without the password).
  expect(started.json().failures).toEqual([
    { processorId: 'publish', error: expect.stringContaining(`127.0.0.1:${deadBroker}`) },
  ]);
  await waitFor(
    async () => (await call('GET', '/api/flows/leak/status')).json().connections['log-publish']?.count === 5,
    'every FlowFile to wait before the publisher',
    20_000,
  );
  // Try again by hand, with a save in between (a PUT without the value keeps it).
  await call('POST', '/api/flows/leak/processors/publish/start');
  const shown = (await call('GET', '/api/flows/leak')).json();
  await call('PUT', '/api/flows/leak', { ...shown, description: 'saved again' });
  await call('POST', '/api/flows/leak/processors/publish/start');

  // Everything that could show it.
  for (const url of [
    '/api/flows',
    '/api/flows/leak',
    '/api/flows/leak/export',
    '/api/flows/leak/status',
    '/api/flows/leak/connections/log-publish/queue?limit=10',
    '/api/flows/leak/connections/log-publish/quarantine',
    '/api/processors',
    '/api/audit',
    '/api/summary',
    '/api/bulletins',
    `/api/search?q=${encodeURIComponent(SECRET)}`,
    `/api/search?q=${MARKER}`,
    '/metrics',
  ])
    await call('GET', url);
  await call('POST', '/api/flows/validate', shown);
  await call('POST', '/api/flows/validate', { ...shown, processors: [{ id: 'x', type: 'Nope' }] });
  const events = (await call('GET', '/api/provenance?flowId=leak&limit=1000')).json() as {
    id: number;
    flowFileId: string;
  }[];
  expect(events.length).toBeGreaterThan(0);
  for (const e of events.slice(0, 20)) {
    await call('GET', `/api/provenance/${e.id}`);
    await call('GET', `/api/provenance/lineage/${e.flowFileId}`);
    await call('GET', `/api/provenance/${e.id}/content/output`);
  }
  const queued = (await call('GET', '/api/flows/leak/connections/log-publish/queue?limit=10')).json() as {
    flowFiles?: { id: string }[];
  };
  for (const ff of queued.flowFiles ?? [])
    await call('GET', `/api/flows/leak/connections/log-publish/queue/${ff.id}/content`);
  // The status stream, for a moment.
  const events$ = new AbortController();
  const stream = await fetch(`${base}/api/events`, { signal: events$.signal });
  const reader = stream.body!.getReader();
  const chunk = await reader.read();
  answers.set('GET /api/events', Buffer.from(chunk.value ?? []));
  events$.abort();

  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  const written = await filesUnder(dataDir);
  const everything = new Map<string, Buffer>([
    ...written,
    ...answers,
    ['stdout', Buffer.concat(stdout)],
    ['stderr', Buffer.concat(stderr)],
  ]);

  // Positive control: the same search finds the marker of the plain parameter where it was written.
  const found = hits(everything, MARKER);
  expect(found).toContain(path.join(dataDir, 'flows', 'leak.json'));
  expect(found.some((f) => f.startsWith(path.join(dataDir!, 'repository')))).toBe(true);
  expect(found).toContain('stderr'); // LogAttribute's warn lines
  expect(found).toContain('GET /api/flows/leak (200)');
  expect(found).toContain('GET /api/flows/leak/export (200)');
  // The flow file holds the sensitive value, encrypted.
  expect(written.get(path.join(dataDir, 'flows', 'leak.json'))!.toString()).toMatch(/"value": "sluice:v1:/);
  // The failures were reported and logged (with the broker's address), so there was something to leak into.
  expect(Buffer.concat(stderr).toString()).toContain(`127.0.0.1:${deadBroker}`);

  expect(hits(everything, SECRET)).toEqual([]);
  expect(written.size).toBeGreaterThan(5);
}, 90_000);
