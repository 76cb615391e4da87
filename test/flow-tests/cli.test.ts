/** `sluice test` as a user runs it: exit codes, the text report, JUnit XML. */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const example = path.join(root, 'flows/examples/hello-log.json');
let dir: string;

function sluiceTest(args: string[]) {
  // bin/sluice.mjs is `node --import tsx server/cli.ts`, with tsx found from the repository, not the cwd.
  const r = spawnSync(process.execPath, [path.join(root, 'bin/sluice.mjs'), 'test', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const helloCase = (name: string, count: number) => ({
  name,
  capture: ['log'],
  expect: [{ at: 'log', count, attributes: { greeting: 'hello' } }],
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-test-cli-'));
  const write = (name: string, json: unknown) => writeFile(path.join(dir, name), JSON.stringify(json));
  await mkdir(path.join(dir, 'flows/nested'), { recursive: true });
  await write('flows/nested/good.test.json', { flow: example, cases: [helloCase('five greetings', 5)] });
  await write('wrong.test.json', { flow: example, cases: [helloCase('right', 5), helloCase('six greetings?', 6)] });
  await write('bad.test.json', { flow: example, cases: [{ name: 'bad', expect: [{ at: 'log', count: -1 }] }] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sluice test', () => {
  test('without paths: every *.test.json under ./flows; exit 0 when every case passes, a ✓ line per case', () => {
    const r = sluiceTest([]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ five greetings \(\d+ ms\)/);
    expect(r.stdout).toMatch(/^flows\/nested\/good\.test\.json\n/);
    expect(r.stdout).toMatch(/1 passed, 0 failed \(1 file/);
  });

  test('exit 1 when an expectation is wrong, naming what was expected and what arrived', () => {
    const r = sluiceTest(['flows/nested/good.test.json', 'wrong.test.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ six greetings\? \(\d+ ms\)/);
    expect(r.stdout).toContain('/cases/1/expect/0/count: expected 6 FlowFiles at "log", 5 arrived');
    expect(r.stdout).toMatch(/expected: 6\n\s+actual: {3}5/);
    expect(r.stdout).toMatch(/2 passed, 1 failed/);
  });

  test('exit 2 for an invalid test file, naming the JSON path', () => {
    const r = sluiceTest(['bad.test.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('bad.test.json: /cases/0/expect/0/count: must be >= 0');
  });

  test('--reporter junit writes a testsuite per file and a testcase per case, failures counted', async () => {
    const out = path.join(dir, 'junit.xml');
    const r = sluiceTest(['flows/nested/good.test.json', 'wrong.test.json', '--reporter', 'junit', '--output', out]);
    expect(r.code).toBe(1);
    const xml = await readFile(out, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites [^>]*tests="3" failures="1" errors="0"/,
    );
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)"/g)].map((m) =>
      m.slice(1),
    );
    expect(suites).toEqual([
      ['flows/nested/good.test.json', '1', '0'],
      ['wrong.test.json', '2', '1'],
    ]);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('<failure message="expected 6 FlowFiles at &quot;log&quot;, 5 arrived">');
    expect(xml.match(/<\/testsuite>/g)).toHaveLength(2);
    // JUnit on stdout: the XML alone there, the text report on stderr.
    const piped = sluiceTest(['flows/nested/good.test.json', '--reporter', 'junit']);
    expect(piped.stdout).toMatch(/^<\?xml[\s\S]*<\/testsuites>\n$/);
    expect(piped.stderr).toContain('✓ five greetings');
  });

  test('a path that does not exist is exit 2', () => {
    const r = sluiceTest(['missing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sluice test: "missing" does not exist');
  });
});
