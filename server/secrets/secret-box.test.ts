import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ENCRYPTED_PREFIX, openSecretsKey, parseKey, SecretBox, SecretDecryptError } from './secret-box';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-secrets-'));
  dirs.push(dir);
  return dir;
}

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  test('round trip, a fresh IV per value, the versioned format', () => {
    for (const plain of ['', 'hunter2', 'ünïcödé ✓ and "quotes"', 'x'.repeat(100_000)]) {
      const a = box.encrypt(plain);
      expect(a.startsWith(ENCRYPTED_PREFIX)).toBe(true);
      expect(box.decrypt(a)).toBe(plain);
      if (plain !== '') expect(a).not.toContain(plain);
    }
    const [one, two] = [box.encrypt('same'), box.encrypt('same')];
    expect(one).not.toBe(two);
    // iv (12) | tag (16) | ciphertext (4 bytes for "same")
    expect(Buffer.from(one.slice(ENCRYPTED_PREFIX.length), 'base64')).toHaveLength(12 + 16 + 4);
  });

  test('tampering with any part is detected', () => {
    const text = box.encrypt('the secret');
    const bytes = Buffer.from(text.slice(ENCRYPTED_PREFIX.length), 'base64');
    for (const at of [0, 11, 12, 27, 28, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at]! ^= 0x01;
      expect(() => box.decrypt(`${ENCRYPTED_PREFIX}${changed.toString('base64')}`)).toThrow(SecretDecryptError);
    }
    expect(() => box.decrypt(`${ENCRYPTED_PREFIX}${bytes.subarray(0, 20).toString('base64')}`)).toThrow(/truncated/);
    expect(() => box.decrypt('plain')).toThrow(SecretDecryptError);
  });

  test('another key cannot decrypt, and says which key to check', () => {
    const text = box.encrypt('the secret');
    expect(() => new SecretBox(randomBytes(32)).decrypt(text)).toThrow(
      /another key \(SLUICE_SECRETS_KEY or secrets\.key\)/,
    );
  });
});

describe('the key', () => {
  test('64 hex digits or base64 of 32 bytes; anything else is a clear error', () => {
    const key = randomBytes(32);
    expect(parseKey(key.toString('hex'), 'K').equals(key)).toBe(true);
    expect(parseKey(` ${key.toString('base64')}\n`, 'K').equals(key)).toBe(true);
    expect(parseKey(key.toString('base64url'), 'K').equals(key)).toBe(true);
    for (const bad of ['', 'short', 'ab'.repeat(31), randomBytes(16).toString('base64'), 'zz'.repeat(32)])
      expect(() => parseKey(bad, 'SLUICE_SECRETS_KEY')).toThrow(
        /^SLUICE_SECRETS_KEY is not a secrets key: write 32 random bytes as 64 hex digits or base64/,
      );
  });

  test('SLUICE_SECRETS_KEY wins, and no key file is written', async () => {
    const dir = await tempDir();
    const key = randomBytes(32);
    const opened = await openSecretsKey(dir, { SLUICE_SECRETS_KEY: key.toString('hex') });
    expect(opened.source).toBe('env');
    await expect(stat(path.join(dir, 'secrets.key'))).rejects.toThrow(/ENOENT/);
    const text = opened.box.encrypt('v');
    expect(new SecretBox(key).decrypt(text)).toBe('v');
    await expect(openSecretsKey(dir, { SLUICE_SECRETS_KEY: 'nope' })).rejects.toThrow(
      /SLUICE_SECRETS_KEY is not a secrets key/,
    );
  });

  test('else the key file: created 0600 on first start, the same key on the next', async () => {
    const dir = await tempDir();
    const first = await openSecretsKey(dir, {});
    expect(first).toMatchObject({ source: 'file', created: true, file: path.join(dir, 'secrets.key') });
    expect((await stat(first.file!)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.file!, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const again = await openSecretsKey(dir, {});
    expect(again.created).toBe(false);
    expect(again.box.decrypt(first.box.encrypt('kept'))).toBe('kept');
  });

  test.skipIf(process.platform === 'win32')(
    'a key file others can read is refused with the command that fixes it',
    async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'secrets.key');
      await writeFile(file, `${randomBytes(32).toString('hex')}\n`);
      await chmod(file, 0o644);
      await expect(openSecretsKey(dir, {})).rejects.toThrow(
        `the secrets key file ${file} is accessible to group or others (mode 0644): run "chmod 600 ${file}"`,
      );
      await chmod(file, 0o600);
      await expect(openSecretsKey(dir, {})).resolves.toMatchObject({ source: 'file', created: false });
      await writeFile(file, 'garbage\n');
      await expect(openSecretsKey(dir, {})).rejects.toThrow(/secrets key file .* is not a secrets key/);
    },
  );
});
