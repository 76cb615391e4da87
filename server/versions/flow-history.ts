/**
 * The versions of every flow: a git repository (`<data>/versions`) holding `flows/<id>.json` as the store
 * stores it (sensitive values encrypted), in stable key order, one commit per save or removal with the user
 * who made it as author. Operations run one at a time. Reading: the versions of a flow newest first, a flow as
 * it was at a version, the flow as last recorded.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { idPattern } from '../../flows/flow-schema';
import type { ProcessorLogger } from '../engine/contract';
import { mapParameters } from '../parameters/sensitive-values';
import { type GitCliOptions, GitError, runGit } from './git-cli';
import { currentSaveContext, type SaveContext } from './save-context';
import { isPlainObject, stableStringify } from './stable-json';
import type { FlowVersion } from './version-types';

const ID = new RegExp(idPattern);
const VERSION = /^[0-9a-f]{4,40}$/i;
const COMMITTER = ['-c', 'user.name=sluice', '-c', 'user.email=sluice@localhost'];

export interface FlowHistoryOptions extends GitCliOptions {
  logger?: ProcessorLogger;
  /** True when two stored (encrypted) sensitive values hold the same secret: the older text is kept then. */
  sameSecret?: (a: string, b: string) => boolean;
  /** A stored flow as the flow manager holds it (sensitive values decrypted), for a revert. */
  toPlain?: (id: string, stored: unknown) => unknown;
}

export class VersionNotFoundError extends Error {}

export class FlowHistory {
  private chain: Promise<unknown> = Promise.resolve();
  private ready = false;

  constructor(
    readonly dir: string,
    readonly options: FlowHistoryOptions = {},
  ) {}

  /** Creates the repository on first use (`git init`) and records flows changed while versions were not kept. */
  start(flows: { id: string; json: unknown }[]): Promise<void> {
    return this.serialize(async () => {
      await this.init();
      let changed = false;
      for (const { id, json } of flows) if (ID.test(id)) changed = (await this.write(id, json)) || changed;
      if (changed) await this.commit(['flows'], { author: 'sluice', message: 'Flows as found at startup' });
    });
  }

  record(id: string, flow: unknown, context: SaveContext = currentSaveContext()): Promise<void> {
    if (!ID.test(id)) return Promise.resolve();
    return this.serialize(async () => {
      await this.init();
      if (!(await this.write(id, flow))) return;
      const name = isPlainObject(flow) && typeof flow.name === 'string' ? flow.name : id;
      await this.commit([this.fileOf(id)], { author: context.author, message: context.message ?? `Save ${name}` });
    });
  }

  recordRemoval(id: string, context: SaveContext = currentSaveContext()): Promise<void> {
    if (!ID.test(id)) return Promise.resolve();
    return this.serialize(async () => {
      await this.init();
      const previous = await this.current(id);
      if (previous === undefined) return;
      await rm(path.join(this.dir, this.fileOf(id)), { force: true });
      const name = isPlainObject(previous) && typeof previous.name === 'string' ? previous.name : id;
      await this.commit([this.fileOf(id)], {
        author: context.author,
        message: context.message ?? `Remove ${name}`,
      });
    });
  }

  /** Waits for every recording asked for so far. */
  async flush(): Promise<void> {
    await this.serialize(async () => {});
  }

  /** The commits that touched the flow, newest first (a removed flow's too). */
  async list(id: string, options: { limit?: number; skip?: number } = {}): Promise<FlowVersion[]> {
    if (!ID.test(id) || !(await this.hasCommits())) return [];
    const out = await this.git([
      'log',
      `--format=%H%x1f%aI%x1f%an%x1f%B%x1e`,
      `--max-count=${options.limit ?? 50}`,
      `--skip=${options.skip ?? 0}`,
      '--',
      this.fileOf(id),
    ]);
    return out
      .split('\x1e')
      .map((r) => r.replace(/^\n/, ''))
      .filter((r) => r !== '')
      .map((r) => {
        const [hash = '', time = '', author = '', message = ''] = r.split('\x1f');
        return { id: hash, time, author, message: message.trim() };
      });
  }

  /** The flow as stored at a version (a commit hash, 4 to 40 hex digits), with the full hash. */
  async show(id: string, version: string): Promise<{ version: string; flow: unknown }> {
    if (!ID.test(id)) throw new VersionNotFoundError(`"${id}" is not a flow id`);
    if (!VERSION.test(version)) throw new VersionNotFoundError(`"${version}" is not a version (a commit hash)`);
    let hash: string;
    try {
      hash = (await this.git(['rev-parse', '--verify', '--quiet', `${version}^{commit}`])).trim();
    } catch {
      throw new VersionNotFoundError(`no version ${version}`);
    }
    let text: string;
    try {
      text = await this.git(['show', `${hash}:${this.fileOf(id)}`]);
    } catch {
      throw new VersionNotFoundError(`flow "${id}" did not exist at version ${hash.slice(0, 7)}`);
    }
    return { version: hash, flow: JSON.parse(text) };
  }

  /** The flow as last recorded (undefined when it is not, or was removed). */
  async current(id: string): Promise<unknown> {
    if (!ID.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(path.join(this.dir, this.fileOf(id)), 'utf8'));
    } catch {
      return undefined;
    }
  }

  private fileOf(id: string): string {
    return `flows/${id}.json`;
  }

  private git(args: string[]): Promise<string> {
    return runGit(this.dir, args, this.options);
  }

  private async init(): Promise<void> {
    if (this.ready) return;
    await mkdir(path.join(this.dir, 'flows'), { recursive: true });
    await this.git(['init', '--quiet']);
    this.ready = true;
  }

  private async hasCommits(): Promise<boolean> {
    try {
      await this.git(['rev-parse', '--verify', '--quiet', 'HEAD']);
      return true;
    } catch (err) {
      if (err instanceof GitError && err.code === 1) return false;
      throw err;
    }
  }

  /** Writes the flow's file; false when it already holds exactly this. */
  private async write(id: string, flow: unknown): Promise<boolean> {
    const file = path.join(this.dir, this.fileOf(id));
    const previous = await readFile(file, 'utf8').catch(() => undefined);
    const text = stableStringify(this.keepSecretTexts(flow, previous));
    if (text === previous) {
      // Written before but perhaps never committed (a git failure): the commit step finds out.
      return (await this.git(['status', '--porcelain', '--', this.fileOf(id)])).trim() !== '';
    }
    await writeFile(file, text, 'utf8');
    return true;
  }

  /** Encrypting a value again gives new text: the old text is kept when it holds the same secret. */
  private keepSecretTexts(flow: unknown, previousText: string | undefined): unknown {
    const same = this.options.sameSecret;
    if (!same || previousText === undefined) return flow;
    let previous: unknown;
    try {
      previous = JSON.parse(previousText);
    } catch {
      return flow;
    }
    const old = new Map<string, string>();
    mapParameters(previous, (p, context) => {
      if (p.sensitive === true && typeof p.value === 'string') old.set(JSON.stringify([context, p.name]), p.value);
      return p;
    });
    return mapParameters(flow, (p, context) => {
      const before = old.get(JSON.stringify([context, p.name]));
      if (p.sensitive !== true || typeof p.value !== 'string' || before === undefined || before === p.value) return p;
      return same(before, p.value) ? { ...p, value: before } : p;
    });
  }

  /**
   * Commits the paths. A file git already tracks is committed by path in one call (`git commit -- path`); a new
   * one is staged first. A file written back to its committed text is nothing to commit.
   */
  private async commit(paths: string[], context: SaveContext): Promise<void> {
    const author = ident(context.author ?? 'sluice');
    const message = context.message?.trim() || 'Save';
    const commit = [...COMMITTER, 'commit', '--quiet', '--no-verify', `--author=${author}`, '-m', message];
    const nothing = (err: unknown) =>
      err instanceof GitError && err.code === 1 && /nothing (added )?to commit/.test(err.stdout);
    try {
      await this.git([...commit, '--', ...paths]);
      return;
    } catch (err) {
      if (nothing(err)) return;
      if (!(err instanceof GitError && /did not match any file/.test(err.stderr))) throw err;
    }
    await this.git(['add', '--all', '--', ...paths]);
    try {
      await this.git(commit);
    } catch (err) {
      if (!nothing(err)) throw err;
    }
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => {});
    return run;
  }
}

/** `name <name@sluice>`, with what git refuses in an ident left out. */
function ident(name: string): string {
  const clean = name.replace(/[<>\n\r\0]/g, '').trim() || 'sluice';
  const local = clean.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${clean} <${local}@sluice>`;
}
