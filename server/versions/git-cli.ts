/**
 * The git command line for one repository, run with execFile (never a shell) and an environment no machine's
 * git configuration reaches: no system or global config (HOME and XDG_CONFIG_HOME point at the repository's own
 * directory, GIT_CONFIG_GLOBAL at the null device), no GIT_* variable inherited from a caller (a hook or a
 * merge driver runs with GIT_DIR set), no hooks, no signing, no prompts.
 */
import { execFile } from 'node:child_process';
import { devNull } from 'node:os';

export class GitError extends Error {
  constructor(
    message: string,
    readonly code: number | string | undefined,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(message);
  }
}

export interface GitCliOptions {
  /** The git executable (default `git` on the PATH). */
  git?: string;
  /** A git command still running after this long is killed (default 30 s). */
  timeoutMs?: number;
}

/** Settings given with -c on every call, whatever a config file says. */
const FIXED_CONFIG = [
  `core.hooksPath=${devNull}`,
  'commit.gpgSign=false',
  'core.autocrlf=false',
  'core.quotePath=false',
  'gc.auto=0',
];

export function gitEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: devNull,
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
  };
}

/** Runs `git -C dir ...args`; resolves with stdout, rejects with a GitError carrying the exit code and stderr. */
export function runGit(dir: string, args: readonly string[], options: GitCliOptions = {}): Promise<string> {
  const config = FIXED_CONFIG.flatMap((c) => ['-c', c]);
  return new Promise((resolve, reject) => {
    execFile(
      options.git ?? 'git',
      [...config, ...args],
      {
        cwd: dir,
        env: gitEnvironment(dir),
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code ?? (err as { status?: number }).status;
        const detail = stderr.trim() || err.message;
        reject(new GitError(`git ${args[0]}: ${detail}`, code, stderr, stdout));
      },
    );
  });
}
