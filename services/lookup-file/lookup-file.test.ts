import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LookupService } from '../../sdk';
import { waitFor } from '../../test/helpers/wait-for';
import { enableService, memoryLogger, serviceConfig } from '../broker-test-kit';
import FileLookupService from '.';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-lookup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('FileLookupService', () => {
  test('a CSV file with a header, keyed by a column; values are text', async () => {
    const file = await fileWith('countries.csv', 'code,name,eu\nDE,Germany,yes\nUS,"United States",no\n');
    const { instance } = await enableService(FileLookupService, {
      path: file,
      keyField: 'code',
    });
    expect(await instance.lookup('US')).toEqual({ code: 'US', name: 'United States', eu: 'no' });
    expect(await instance.lookup('FR')).toBeUndefined();
  });

  test('JSON: an array of objects or JSON lines; numbers are keys as text; a later duplicate wins', async () => {
    const array = await fileWith('a.json', '[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":1,"v":"c"}]');
    const lines = await fileWith('b.jsonl', '{"id":"x","n":1}\n\n{"id":"y","n":2}\n');
    const a = await enableService(FileLookupService, {
      path: array,
      format: 'json',
      keyField: 'id',
    });
    const b = await enableService(FileLookupService, {
      path: lines,
      format: 'json',
      keyField: 'id',
    });
    expect(await a.instance.lookup('1')).toEqual({ id: 1, v: 'c' });
    expect(await b.instance.lookup('y')).toEqual({ id: 'y', n: 2 });
  });

  test('a file that does not parse fails enabling, naming the file and the line', async () => {
    const file = await fileWith('broken.jsonl', '{"id":1}\n{nope\n');
    await expect(enableService(FileLookupService, { path: file, format: 'json', keyField: 'id' })).rejects.toThrow(
      /broken\.jsonl.*line 2/,
    );
  });

  test('the file is reloaded when it changes: a key written later is found', async () => {
    const file = await fileWith('reload.csv', 'k,v\nold,1\n');
    const { instance } = await enableService(FileLookupService, { path: file, keyField: 'k' });
    expect(await instance.lookup('old')).toEqual({ k: 'old', v: '1' });
    expect(await instance.lookup('new')).toBeUndefined();
    await writeFile(file, 'k,v\nold,1\nnew,2\n');
    expect(await waitFor(() => instance.lookup('new'), 'the new key after a reload')).toEqual({ k: 'new', v: '2' });
  });

  test('a reload that fails keeps the previous table and warns once', async () => {
    const file = await fileWith('keep.jsonl', '{"k":"a"}\n');
    const logger = memoryLogger();
    const definition = FileLookupService;
    const config = serviceConfig(definition, { path: file, format: 'json', keyField: 'k' });
    const instance = (await definition.enable(config, {
      flowId: 'f',
      serviceId: 'lookup',
      logger,
      allowedDirs: [],
      services: { get: () => undefined as never },
    })) as LookupService;
    await writeFile(file, '{"k":"a"}\n{broken\n');
    // Two failed checks (a second apart) at least, while lookups keep answering from the old table.
    await waitFor(async () => {
      expect(await instance.lookup('a')).toEqual({ k: 'a' });
      return logger.lines.filter((l) => l.level === 'debug').length >= 2;
    }, 'two failed reloads');
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logger.lines.find((l) => l.level === 'warn')!.msg).toMatch(/previous table stays in use/);
  });

  test('the file must lie in the allowed directories', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'sluice-outside-'));
    try {
      const file = path.join(outside, 'x.csv');
      await writeFile(file, 'k\n1\n');
      const issues = FileLookupService.validate!(
        { path: file, format: 'csv', keyField: 'k', delimiter: ',' },
        { allowedDirs: [dir], authenticated: false },
      );
      expect(issues).toEqual([{ path: '/path', message: expect.stringMatching(/outside the allowed directories/) }]);
      const enabling = FileLookupService.enable(
        { path: file, format: 'csv', keyField: 'k', delimiter: ',' },
        {
          flowId: 'f',
          serviceId: 's',
          logger: memoryLogger(),
          allowedDirs: [dir],
          services: { get: () => undefined as never },
        },
      );
      await expect(enabling).rejects.toThrow(/outside the allowed directories/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  test('path and keyField are required', () => {
    expect(
      FileLookupService.validate!(
        { path: '', format: 'csv', keyField: '', delimiter: ',' },
        { allowedDirs: [], authenticated: false },
      ).map((i) => i.path),
    ).toEqual(['/path', '/keyField']);
  });
});
