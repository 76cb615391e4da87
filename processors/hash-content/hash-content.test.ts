import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { processorRunner } from '../../sdk/testing';
import HashContent from '.';

describe('HashContent', () => {
  test('sha256 in hex by default, matching a known digest', async () => {
    const run = processorRunner(HashContent, {});
    run.enqueue('abc');
    await run.trigger();
    const [ff] = run.transferred('success');
    expect(ff!.attributes['hash.value']).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(ff!.attributes['hash.algorithm']).toBe('sha256');
    expect(run.provenance().map((e) => e.type)).toContain('ATTRIBUTES_MODIFIED');
  });

  test('other algorithms, base64, a custom attribute, and raw bytes', async () => {
    const run = processorRunner(HashContent, { algorithm: 'md5', encoding: 'base64', attribute: 'md5' });
    run.enqueue(Buffer.from([0xff, 0x00, 0x80]));
    run.enqueue('');
    await run.trigger();
    const out = run.transferred('success').map((f) => f.attributes.md5);
    // The bytes themselves are hashed (no text decoding): compare with node:crypto over the same bytes.
    const raw = createHash('md5')
      .update(Buffer.from([0xff, 0x00, 0x80]))
      .digest('base64');
    expect(out).toEqual([raw, '1B2M2Y8AsgTpgAmY7PhCfg==']);
  });

  test('empty content goes to failure when failIfEmpty is on', async () => {
    const run = processorRunner(HashContent, { failIfEmpty: true });
    run.enqueue('');
    run.enqueue('x');
    await run.trigger();
    expect(run.transferred('failure')).toHaveLength(1);
    expect(run.transferred('success')).toHaveLength(1);
  });

  test('a large content hashes', async () => {
    const run = processorRunner(HashContent, { algorithm: 'sha1' });
    run.enqueue(Buffer.alloc(20_000_000, 'a'));
    await run.trigger();
    expect(run.transferred('success')[0]!.attributes['hash.value']).toMatch(/^[0-9a-f]{40}$/);
  });
});
