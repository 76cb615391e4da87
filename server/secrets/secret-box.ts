/**
 * Sensitive values at rest: AES-256-GCM (node:crypto), a random 96-bit IV per value and its 128-bit
 * authentication tag, written as `sluice:v1:<base64 of iv | tag | ciphertext>` (the version names the format,
 * so another can follow). The key is 32 bytes: `SLUICE_SECRETS_KEY` (64 hex digits, or base64) or else the key
 * file `<data>/secrets.key`, created (0600) on first start; an existing key file others can read is refused.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const ENCRYPTED_PREFIX = 'sluice:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_FILE = 'secrets.key';
export const KEY_ENV = 'SLUICE_SECRETS_KEY';

/** A value could not be decrypted: not our format, tampered with, or encrypted under another key. */
export class SecretDecryptError extends Error {}

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('a secrets key is 32 bytes');
    this.key = Buffer.from(key);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${ENCRYPTED_PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  decrypt(text: string): string {
    if (!isEncrypted(text)) throw new SecretDecryptError(`not an encrypted value (expected "${ENCRYPTED_PREFIX}...")`);
    const bytes = Buffer.from(text.slice(ENCRYPTED_PREFIX.length), 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretDecryptError('encrypted value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptError(
        'encrypted value does not authenticate: it was changed, or encrypted under another key (SLUICE_SECRETS_KEY or secrets.key)',
      );
    }
  }
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX);
}

/** A key as written in SLUICE_SECRETS_KEY or the key file: 64 hex digits, or base64 of 32 bytes. */
export function parseKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) {
    const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new Error(
    `${source} is not a secrets key: write 32 random bytes as 64 hex digits or base64 (e.g. openssl rand -hex 32)`,
  );
}

export interface OpenedKey {
  box: SecretBox;
  /** Where the key came from. */
  source: 'env' | 'file';
  /** The key file was created now. */
  created: boolean;
  file?: string;
}

/**
 * The secrets key of a data directory: SLUICE_SECRETS_KEY when set (the key file is then neither read nor
 * created), else `<dataDir>/secrets.key`, created with mode 0600 when missing. Throws a message meant for the
 * operator when the variable is malformed, or the key file is malformed or readable by group or others.
 */
export async function openSecretsKey(
  dataDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<OpenedKey> {
  const fromEnv = env[KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '')
    return { box: new SecretBox(parseKey(fromEnv, KEY_ENV)), source: 'env', created: false };
  const file = path.join(dataDir, KEY_FILE);
  let created = false;
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString('hex')}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(file, 0o600);
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new Error(`cannot create the secrets key file ${file}: ${(err as Error).message}`);
  }
  if (process.platform !== 'win32') {
    const mode = (await stat(file)).mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw new Error(
        `the secrets key file ${file} is accessible to group or others (mode ${mode.toString(8).padStart(4, '0')}): run "chmod 600 ${file}" (or set ${KEY_ENV})`,
      );
  }
  const key = parseKey(await readFile(file, 'utf8'), `the secrets key file ${file}`);
  return { box: new SecretBox(key), source: 'file', created, file };
}
