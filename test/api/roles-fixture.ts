/** Users for the role tests: written to `<data>/users.json` as `sluice users add` would, one password for all. */
import type { Role } from '../../server/api/roles';
import { hashPassword, type UsersFile, usersFileOf, writeUsersFile } from '../../server/api/users';

export const PASSWORD = 'correct horse battery';

export async function writeUsers(dataDir: string, users: { name: string; role: Role }[]): Promise<UsersFile> {
  const data: UsersFile = { version: 1, users: [] };
  for (const u of users)
    data.users.push({
      ...u,
      passwordHash: await hashPassword(PASSWORD),
      created: new Date().toISOString(),
      tokens: [],
    });
  await writeUsersFile(usersFileOf(dataDir), data);
  return data;
}

/** POST /api/login; `cookie` is the session cookie to send back ("" when refused). */
export async function login(url: string, username: string, password = PASSWORD) {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { res, cookie: res.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
}
