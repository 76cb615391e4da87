/**
 * Users and their API tokens, kept in `<data>/users.json` (written atomically by `sluice users`, read by the
 * server). Passwords are bcrypt hashes. API tokens are 32 random bytes, stored as their SHA-256: a token has
 * full entropy, so a slow hash adds nothing, and a fast one lets each request find its user in a map.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { writeJsonAtomic } from '../storage/flow-store';
import { isRole, type Role } from './roles';

export const USERS_FILE = 'users.json';
export const BCRYPT_COST = 11;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const TOKEN_PREFIX = 'sluice_';

export interface ApiTokenRecord {
  id: string;
  label: string;
  /** SHA-256 of the token, hex. */
  sha256: string;
  created: string;
}

export interface UserRecord {
  name: string;
  role: Role;
  /** bcrypt. */
  passwordHash: string;
  created: string;
  tokens: ApiTokenRecord[];
}

export interface UsersFile {
  version: 1;
  users: UserRecord[];
}

export const usersFileOf = (dataDir: string) => path.join(dataDir, USERS_FILE);

export function checkUserName(name: string): string | undefined {
  return NAME.test(name)
    ? undefined
    : `user name "${name}" must be 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const hashPassword = (password: string) => bcrypt.hash(password, BCRYPT_COST);

/** A new API token: shown once, only its hash is kept. */
export function newApiToken(label: string): { token: string; record: ApiTokenRecord } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record = {
    id: randomBytes(6).toString('hex'),
    label,
    sha256: hashToken(token),
    created: new Date().toISOString(),
  };
  return { token, record };
}

/** The users file; empty when it does not exist. Throws naming the file when it is malformed. */
export async function readUsersFile(file: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: [] };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`);
  }
  const users = (parsed as { users?: unknown })?.users;
  if (!Array.isArray(users)) throw new Error(`${file}: expected {"version": 1, "users": [...]}`);
  users.forEach((u: Partial<UserRecord>, i) => {
    if (typeof u?.name !== 'string' || !isRole(u.role) || typeof u.passwordHash !== 'string')
      throw new Error(`${file}: /users/${i} needs a name, a role (viewer, operator, admin) and a passwordHash`);
    u.tokens = Array.isArray(u.tokens) ? u.tokens : [];
  });
  return { version: 1, users: users as UserRecord[] };
}

export function writeUsersFile(file: string, data: UsersFile): Promise<void> {
  return writeJsonAtomic(file, data);
}

/** A hash no password matches, compared against when the user is unknown: a miss costs what a hit costs. */
let decoy: Promise<string> | undefined;

/**
 * The server's view of the users file: re-read when it changes (checked at most once a second), so `sluice
 * users add` takes effect without a restart.
 */
export class UserStore {
  private data: UsersFile = { version: 1, users: [] };
  private byTokenHash = new Map<string, UserRecord>();
  private mtimeMs = -1;
  private checkedAt = 0;
  /** Once there were users, credentials stay required until restart, even if the file is emptied. */
  private hadUsers = false;

  private constructor(
    readonly file: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Throws when the file is malformed; later, a malformed change is reported and the last good one kept. */
  static async open(file: string, onError: (err: unknown) => void = () => {}): Promise<UserStore> {
    const store = new UserStore(file, onError);
    await store.refresh(true);
    return store;
  }

  get count(): number {
    return this.data.users.length;
  }

  get required(): boolean {
    return this.hadUsers || this.data.users.length > 0;
  }

  async refresh(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.checkedAt < 1000) return;
    this.checkedAt = now;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.file)).mtimeMs;
    } catch {
      mtimeMs = 0;
    }
    if (mtimeMs === this.mtimeMs) return;
    this.mtimeMs = mtimeMs;
    try {
      this.data = await readUsersFile(this.file);
    } catch (err) {
      if (force) throw err;
      this.onError(err);
      return;
    }
    this.byTokenHash = new Map(this.data.users.flatMap((u) => u.tokens.map((t) => [t.sha256, u] as const)));
    if (this.data.users.length > 0) this.hadUsers = true;
  }

  find(name: string): UserRecord | undefined {
    return this.data.users.find((u) => u.name === name);
  }

  byToken(token: string): UserRecord | undefined {
    return this.byTokenHash.get(hashToken(token));
  }

  /** The user when the password matches; always runs one bcrypt comparison, known user or not. */
  async verify(name: string, password: string): Promise<UserRecord | undefined> {
    const user = this.find(name);
    decoy ??= bcrypt.hash(randomBytes(16).toString('hex'), BCRYPT_COST);
    const ok = await bcrypt.compare(password, user?.passwordHash ?? (await decoy));
    return ok && user ? user : undefined;
  }
}
