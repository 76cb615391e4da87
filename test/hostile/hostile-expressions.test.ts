import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { expressionFixtures } from './expression-fixtures';
import {
  FLOWS_DIR,
  runHostileFixtures,
  type SluiceProcess,
  startSluice,
  stopSluice,
  watchHealth,
} from './hostile-runner';

/** How long SIGTERM may take: stopping waits for running triggers, and one lasts about one expression time limit. */
const GRACE_MS = 10_000;

let server: SluiceProcess | undefined;
afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) await stopSluice(server, 0);
});

describe('hostile expressions and regular expressions', () => {
  test('every fixture file is in the list', async () => {
    const files = (await readdir(FLOWS_DIR)).filter((f) => /^(redos|rejected|jsonata)-/.test(f));
    expect(expressionFixtures.map((f) => f.file).sort()).toEqual(files.sort());
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  test('run side by side in a real server: each ends where it should, /healthz answers throughout, SIGTERM stops it', async () => {
    server = await startSluice();
    const health = watchHealth(server.url, 100, 200);
    const outcomes = await runHostileFixtures(server, expressionFixtures);
    const polls = await health.stop();

    expect(outcomes.filter((o) => o.problem !== undefined)).toEqual([]);
    expect(polls.length).toBeGreaterThan(10);
    const late = polls.filter((p) => !p.ok || p.ms > 200).map((p) => ({ ...p, ms: Math.round(p.ms) }));
    expect(late).toEqual([]);

    const stopped = await stopSluice(server, GRACE_MS);
    expect(stopped).toEqual({ exitedInTime: true, code: 0 });
  }, 120_000);
});
