/**
 * `sluice users`: manage the users of a data directory (`<data>/users.json`, written atomically). A running
 * server picks a change up within a second; sessions of a removed user end at their next request.
 */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from './api/roles';
import {
  checkUserName,
  hashPassword,
  newApiToken,
  readUsersFile,
  type UsersFile,
  usersFileOf,
  writeUsersFile,
} from './api/users';

const MIN_PASSWORD = 8;

function parseRole(value: string): Role {
  if (!ROLES.includes(value as Role)) throw new InvalidArgumentError(`a role is one of: ${ROLES.join(', ')}`);
  return value as Role;
}

const fileOf = (opts: { data: string }) => usersFileOf(path.resolve(opts.data));

function fail(message: string): void {
  process.stderr.write(`sluice users: ${message}\n`);
  process.exitCode = 1;
}

/** Reads, changes and writes the users file; `change` returns an error message to refuse. */
async function update(opts: { data: string }, change: (data: UsersFile) => string | undefined): Promise<boolean> {
  const file = fileOf(opts);
  const data = await readUsersFile(file);
  const error = change(data);
  if (error) {
    fail(error);
    return false;
  }
  await writeUsersFile(file, data);
  return true;
}

export function addUsersCommand(program: Command): void {
  const users = program
    .command('users')
    .description('Manage users (viewer, operator, admin) and their API tokens in <data>/users.json.');
  const dataOption = ['--data <dir>', 'data directory', process.env.SLUICE_DATA ?? './data'] as const;

  users
    .command('add')
    .description('Add a user, or change an existing one (--update); the password is asked for, or read from stdin.')
    .argument('<name>', 'user name')
    .requiredOption('--role <role>', `one of: ${ROLES.join(', ')}`, parseRole)
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--update', 'replace the role and password of an existing user')
    .option(...dataOption)
    .action(async (name: string, opts: { role: Role; passwordStdin?: boolean; update?: boolean; data: string }) => {
      const invalid = checkUserName(name);
      if (invalid) return fail(invalid);
      const password = opts.passwordStdin || !process.stdin.isTTY ? await readStdinLine() : await promptHidden();
      if (password.length < MIN_PASSWORD) return fail(`the password needs at least ${MIN_PASSWORD} characters`);
      const passwordHash = await hashPassword(password);
      const done = await update(opts, (data) => {
        const existing = data.users.find((u) => u.name === name);
        if (existing && !opts.update) return `user "${name}" exists; add --update to change it`;
        if (existing) Object.assign(existing, { role: opts.role, passwordHash });
        else data.users.push({ name, role: opts.role, passwordHash, created: new Date().toISOString(), tokens: [] });
      });
      if (done) process.stdout.write(`${opts.update ? 'updated' : 'added'} user "${name}" (${opts.role})\n`);
    });

  users
    .command('list')
    .description('List the users: name, role, API tokens.')
    .option('--json', 'as JSON (no hashes)')
    .option(...dataOption)
    .action(async (opts: { json?: boolean; data: string }) => {
      const data = await readUsersFile(fileOf(opts));
      const rows = data.users.map((u) => ({
        name: u.name,
        role: u.role,
        created: u.created,
        tokens: u.tokens.map((t) => ({ id: t.id, label: t.label, created: t.created })),
      }));
      if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) process.stdout.write('no users: the server asks for no login (loopback only)\n');
      else
        for (const r of rows)
          process.stdout.write(
            `${r.name}\t${r.role}\t${r.tokens.length === 0 ? '-' : r.tokens.map((t) => `${t.id}:${t.label}`).join(',')}\n`,
          );
    });

  users
    .command('remove')
    .description('Remove a user (its sessions and API tokens stop working).')
    .argument('<name>', 'user name')
    .option(...dataOption)
    .action(async (name: string, opts: { data: string }) => {
      const done = await update(opts, (data) => {
        const index = data.users.findIndex((u) => u.name === name);
        if (index < 0) return `no user "${name}"`;
        data.users.splice(index, 1);
      });
      if (done) process.stdout.write(`removed user "${name}"\n`);
    });

  users
    .command('token')
    .description('Create an API token for a user (printed once: "Authorization: Bearer <token>"), or revoke one.')
    .argument('<name>', 'user name')
    .option('--label <label>', 'what the token is for', 'api')
    .option('--revoke <id>', 'revoke the token with this id (see users list) instead')
    .option(...dataOption)
    .action(async (name: string, opts: { label: string; revoke?: string; data: string }) => {
      const created = newApiToken(opts.label);
      const done = await update(opts, (data) => {
        const user = data.users.find((u) => u.name === name);
        if (!user) return `no user "${name}"`;
        if (opts.revoke === undefined) {
          user.tokens.push(created.record);
          return;
        }
        const before = user.tokens.length;
        user.tokens = user.tokens.filter((t) => t.id !== opts.revoke);
        if (user.tokens.length === before) return `user "${name}" has no token "${opts.revoke}"`;
      });
      if (!done) return;
      if (opts.revoke !== undefined) process.stdout.write(`revoked token ${opts.revoke} of "${name}"\n`);
      else process.stdout.write(`${created.token}\n`);
    });
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
}

/** Asks on the terminal without echoing what is typed. */
function promptHidden(question = 'Password: '): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let text = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (result?: string) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (result === undefined) reject(new Error('cancelled'));
      else resolve(result);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return done(text);
        if (ch === '\u0003' || ch === '\u0004') return done();
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
