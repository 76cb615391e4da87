import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { configIssues, type ProcessorRunner, processorRunner } from '../../sdk/testing';
import { createRegistry } from '../registry';
import ExecuteScript from '.';

const REASON = 'sluice.failure.reason';
const runners: ProcessorRunner[] = [];

/** A runner whose script process is stopped after the test. */
function script(source: string, config: Record<string, unknown> = {}, options: ProcessorRunner['options'] = {}) {
  const run = processorRunner(ExecuteScript, { script: source, ...config }, options);
  runners.push(run);
  return run;
}

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

describe('ExecuteScript', () => {
  test('updates and deletes attributes through the session (ATTRIBUTES_MODIFIED), logging to the server log', async () => {
    const run = script(`
      for (const ff of flowFiles) {
        ff.attributes.seen = 'yes';
        ff.attributes.n = Number(ff.attributes.n) * 2;
        delete ff.attributes['drop.me'];
        log('saw', ff.attributes.n);
      }`);
    const ff = run.enqueue('body', { n: '21', 'drop.me': 'x' });
    await run.trigger();
    const [out] = run.transferred('success');
    expect(out!.attributes).toMatchObject({ seen: 'yes', n: '42', uuid: ff.id });
    expect(out!.attributes['drop.me']).toBeUndefined();
    expect(out!.content.toString()).toBe('body');
    expect(run.provenance().map((e) => e.type)).toEqual(['ATTRIBUTES_MODIFIED']);
    expect(run.logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'script: saw 42' }));
  });

  test('rewrites content as text, as JSON for other values, and as bytes in binary mode (in-place edits count)', async () => {
    const run = script(`
      flowFiles[0].content = flowFiles[0].content.toUpperCase();
      flowFiles[1].content = { parsed: JSON.parse(flowFiles[1].content) };`);
    run.enqueue('hello');
    run.enqueue('[1,2]');
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['HELLO', '{"parsed":[1,2]}']);
    expect(run.provenance().map((e) => e.type)).toEqual(['CONTENT_MODIFIED', 'CONTENT_MODIFIED']);

    const binary = script('for (const ff of flowFiles) ff.content[0] ^= 0xff;', { contentEncoding: 'binary' });
    binary.enqueue(Buffer.from([0x00, 0xfe]));
    await binary.trigger();
    expect([...binary.transferred('success')[0]!.content]).toEqual([0xff, 0xfe]);
  });

  test('the script routes to failure, drops with null, or returns the FlowFiles to emit', async () => {
    const run = script(`
      for (const ff of flowFiles) {
        if (ff.content === 'bad') { ff.relationship = 'failure'; ff.attributes.why = 'bad input'; }
        if (ff.content === 'skip') ff.relationship = null;
        if (ff.content === 'odd') ff.relationship = 'elsewhere';
      }`);
    for (const c of ['good', 'bad', 'skip', 'odd']) run.enqueue(c);
    await run.trigger();
    expect(run.transferred('success').map((f) => f.content.toString())).toEqual(['good']);
    const failed = run.transferred('failure');
    expect(failed.map((f) => f.content.toString())).toEqual(['bad', 'odd']);
    expect(failed[0]!.attributes.why).toBe('bad input');
    expect(failed[1]!.attributes[REASON]).toMatch(/unknown relationship elsewhere/);
    expect(run.provenance().map((e) => e.type)).toContain('DROP');

    const chosen = script(
      'return flowFiles.filter((ff) => ff.content !== "b").map((ff) => ({ ...ff, content: "kept " + ff.content }));',
    );
    chosen.enqueue('a');
    chosen.enqueue('b');
    await chosen.trigger();
    expect(chosen.transferred('success').map((f) => f.content.toString())).toEqual(['kept a']);
    expect(chosen.provenance().map((e) => e.type)).toEqual(['CONTENT_MODIFIED', 'DROP']);
  });

  test('create() makes children of an input with FORK provenance; they inherit its attributes', async () => {
    const run = script(`
      for (const ff of flowFiles) {
        for (const part of ff.content.split(',')) create(ff, { attributes: { part }, content: part });
        ff.relationship = null;
      }`);
    const parent = run.enqueue('x,y', { source: 'orders' });
    await run.trigger();
    const children = run.transferred('success');
    expect(children.map((c) => [c.content.toString(), c.attributes.part, c.attributes.source])).toEqual([
      ['x', 'x', 'orders'],
      ['y', 'y', 'orders'],
    ]);
    expect(children.every((c) => c.id !== parent.id && c.attributes.uuid === c.id)).toBe(true);
    const fork = run.provenance().find((e) => e.type === 'FORK');
    expect(fork).toMatchObject({ flowFileId: parent.id, childIds: children.map((c) => c.id) });
  });

  test('a script that throws sends its whole batch to failure with the error and line, and posts a bulletin', async () => {
    const run = script('const a = 1;\nnull.boom;', {}, { processorId: 'enrich' });
    run.enqueue('1');
    run.enqueue('2');
    await run.trigger();
    const failed = run.transferred('failure');
    expect(failed).toHaveLength(2);
    expect(failed[0]!.attributes[REASON]).toMatch(/^script error: TypeError: .*null.* \(line 2\)$/);
    const bulletin = run.logs.find((l) => l.level === 'error');
    expect(bulletin?.msg).toMatch(/ExecuteScript "enrich": script error: TypeError/);
  });

  test('a syntax error is refused by validate at the script path, with its line; the script is not run', () => {
    expect(configIssues(ExecuteScript, { script: 'let x = 1;\nthis is not javascript' })).toEqual([
      { path: '/script', message: expect.stringMatching(/^syntax error in the script: .* \(line 2\)$/) },
    ]);
    const checked = createRegistry().checkConfig('ExecuteScript', { script: 'if (' }, '/processors/1/config');
    expect(checked.issues.map((i) => i.path)).toEqual(['/processors/1/config/script']);
    expect(configIssues(ExecuteScript, { script: 'globalThis.ran = true; return flowFiles;' })).toEqual([]);
    expect(configIssues(ExecuteScript, { memoryLimit: '1 MB' }).map((i) => i.path)).toEqual(['/memoryLimit']);
  });

  test('an endless loop goes to failure at the time limit while the main thread keeps running; the next batch works', async () => {
    const run = script('if (flowFiles[0].content === "loop") while (true) {}\nflowFiles[0].attributes.ok = "1";', {
      timeout: '300 ms',
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    run.enqueue('loop');
    try {
      await run.trigger();
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(2); // the server's event loop turned while the script spun
    expect(run.transferred('failure')[0]!.attributes[REASON]).toMatch(/^timeout: the script ran longer than 300 ms/);
    expect(run.logs.some((l) => l.level === 'error' && /timeout/.test(l.msg ?? ''))).toBe(true);
    run.enqueue('fine');
    await run.trigger();
    expect(run.transferred('success')[0]!.attributes.ok).toBe('1');
  });

  test('an endless loop after an await is stopped by killing the process; a new one runs the next batch', async () => {
    const run = script(
      'await null;\nif (flowFiles[0].content === "loop") for (;;) {}\nflowFiles[0].attributes.ok = "1";',
      {
        timeout: '200 ms',
      },
    );
    run.enqueue('loop');
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes[REASON]).toMatch(/^timeout/);
    run.enqueue('fine');
    await run.trigger();
    expect(run.transferred('success')[0]!.attributes.ok).toBe('1');
  });

  test.each([
    ['a Map that grows without end', 'const m = new Map(); for (let i = 0; ; i++) m.set(i, { i });'],
    ['a 4 GB array filled at once', 'new Array(2 ** 29).fill(0);'],
    ['a 4 GB byte array', 'new Uint8Array(4 * 1024 ** 3).fill(1);'],
    [
      '4 GB of ArrayBuffers in small steps',
      'const keep = []; for (let i = 0; i < 4096; i++) keep.push(new ArrayBuffer(1024 ** 2));',
    ],
  ])('%s goes to failure on the memory limit; this process lives on and the next batch works', async (_name, code) => {
    const run = script(`if (flowFiles[0].content === 'hog') { ${code} }\nflowFiles[0].attributes.ok = '1';`, {
      timeout: '20 s',
      memoryLimit: '64 MB',
    });
    run.enqueue('hog');
    await run.trigger();
    expect(run.transferred('failure')[0]!.attributes[REASON]).toMatch(/memory limit/);
    run.enqueue('fine');
    await run.trigger();
    expect(run.transferred('success')[0]!.attributes.ok).toBe('1');
  });

  test('process, require, import, fetch, eval and the host realm are out of reach by default', async () => {
    const run = script(`
      const ff = flowFiles[0];
      const probe = (f) => { try { return String(f()); } catch (e) { return e.name; } };
      Object.assign(ff.attributes, {
        process: typeof process, require: typeof require, fetch: typeof fetch, env: typeof env, fs: typeof fs,
        globalProcess: typeof globalThis.process, setTimeout: typeof setTimeout,
        eval: probe(() => eval('1 + 1')),
        escape: probe(() => flowFiles.constructor.constructor('return process')()),
        thisEscape: probe(() => this.constructor.constructor('return process')()),
      });
      // import() is refused with an error from the process's own realm, where code generation is off too
      ff.attributes.importing = await import('node:fs').then(
        () => 'loaded',
        (e) => probe(() => e.constructor.constructor('return process')()),
      );`);
    run.enqueue('');
    await run.trigger();
    expect(run.transferred('success')[0]!.attributes).toMatchObject({
      process: 'undefined',
      require: 'undefined',
      fetch: 'undefined',
      env: 'undefined',
      fs: 'undefined',
      globalProcess: 'undefined',
      setTimeout: 'undefined',
      eval: 'EvalError',
      escape: 'EvalError',
      thisEscape: 'EvalError',
      importing: 'EvalError',
    });
  });

  test('the environment is visible only when allow.env opts in', async () => {
    process.env.SLUICE_EXECUTE_SCRIPT_TEST = 'secret';
    const keyBefore = process.env.SLUICE_SECRETS_KEY;
    process.env.SLUICE_SECRETS_KEY = 'the-server-key';
    try {
      const source =
        'flowFiles[0].attributes.seen = String(env?.SLUICE_EXECUTE_SCRIPT_TEST); flowFiles[0].attributes.key = String(env?.SLUICE_SECRETS_KEY);';
      const closed = script(source);
      const open = script(source, { allow: { env: true } });
      closed.enqueue('');
      open.enqueue('');
      await closed.trigger();
      await open.trigger();
      expect(closed.transferred('success')[0]!.attributes.seen).toBe('undefined');
      expect(open.transferred('success')[0]!.attributes.seen).toBe('secret');
      // The server's own secrets are never handed to a script, even one allowed the environment.
      expect(open.transferred('success')[0]!.attributes.key).toBe('undefined');
    } finally {
      delete process.env.SLUICE_EXECUTE_SCRIPT_TEST;
      if (keyBefore === undefined) delete process.env.SLUICE_SECRETS_KEY;
      else process.env.SLUICE_SECRETS_KEY = keyBefore;
    }
  });

  test('allow.fs reads and writes under the allowed directories only, by real path', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'sluice-script-'));
    const outside = await mkdtemp(path.join(tmpdir(), 'sluice-outside-'));
    try {
      await writeFile(path.join(root, 'in.txt'), 'inside');
      await writeFile(path.join(outside, 'secret.txt'), 'secret');
      const run = script(
        `const ff = flowFiles[0];
        ff.attributes.read = await fs.readFile(ff.attributes.root + '/in.txt', 'utf8');
        await fs.writeFile(ff.attributes.root + '/out.txt', 'written');
        try { await fs.readFile(ff.attributes.outside + '/secret.txt', 'utf8'); ff.attributes.escaped = 'yes'; }
        catch (e) { ff.attributes.refused = e.message; }`,
        { allow: { fs: true } },
        { allowedDirs: [root] },
      );
      run.enqueue('', { root, outside });
      await run.trigger();
      const [out] = run.transferred('success');
      expect(out!.attributes.read).toBe('inside');
      expect(out!.attributes.escaped).toBeUndefined();
      expect(out!.attributes.refused).toMatch(/outside the allowed directories/);
      expect(await readFile(path.join(root, 'out.txt'), 'utf8')).toBe('written');
    } finally {
      await rm(root, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});
