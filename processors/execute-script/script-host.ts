/**
 * One script process: forks sandbox-runner.mjs, hands it batches and enforces the wall-clock limit by killing it.
 *
 * Why a child process and not a worker thread: `resourceLimits` only stops a worker whose heap grows in small
 * steps. V8 gives the worker 16 MB of leeway past its limit to terminate; one allocation bigger than that (a Map
 * or an object growing past ~64 MB, `new Array(1e8).fill(0)`, a large JSON.stringify) is a fatal
 * "heap out of memory" that aborts the whole server process (measured on Node 20.20 with a 64 MB limit). A
 * child process with `--max-old-space-size` dies alone; it also lets Node's permission model deny the file
 * system and child processes to anything that escapes the vm context, and gets an empty environment.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { flowVisibleEnvironment } from '../../sdk';

const RUNNER = fileURLToPath(new URL('./sandbox-runner.mjs', import.meta.url));
/** Node 20 spells the permission flag `--experimental-permission`; later versions `--permission`. */
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has('--permission')
  ? '--permission'
  : '--experimental-permission';
const START_TIMEOUT_MS = 15_000;
/** Past the limit, the child's own vm timeout normally answers first; killing the process is the backstop. */
const KILL_GRACE_MS = 250;
const STDERR_KEPT = 4096;

export interface ScriptHostOptions {
  /** The script wrapped as a function expression (wrapScript). */
  source: string;
  filename: string;
  binary: boolean;
  timeoutMs: number;
  memoryLimitBytes: number;
  allow: { env: boolean; fs: boolean; net: boolean };
}

/** One record per FlowFile the script emits (see the bootstrap's `done` in sandbox-runner.mjs). */
export interface OutputRecord {
  /** Index of the input FlowFile, or -1 for a FlowFile made with create(). */
  input: number;
  parents: number[] | null;
  attributes: Record<string, string>;
  relationship: 'success' | 'failure' | null;
  reason?: string;
  content?: string;
  binary?: number;
}

export type BatchOutcome = { ok: true; records: OutputRecord[]; binaries: Buffer[] } | { ok: false; reason: string };

export interface BatchHandlers {
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** An opt-in call (fs, fetch): resolves to JSON text or bytes; a rejection's message goes to the script. */
  call(op: string, args: unknown[]): Promise<{ json?: string; bytes?: Uint8Array }>;
}

interface Pending {
  seq: number;
  resolve(outcome: BatchOutcome): void;
  handlers: BatchHandlers;
  timer: NodeJS.Timeout;
}

export class ScriptHost {
  private pending: Pending | undefined;
  private seq = 0;
  private stderr = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: ScriptHostOptions,
  ) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (this.stderr.length < STDERR_KEPT) this.stderr += chunk.slice(0, STDERR_KEPT - this.stderr.length);
    });
    child.on('message', (m: any) => this.onMessage(m));
    child.on('close', (code, signal) => {
      this.exited = true;
      this.settle({ ok: false, reason: this.exitReason(code, signal) });
    });
    child.on('error', () => {
      this.exited = true;
      this.settle({ ok: false, reason: 'the script process failed' });
    });
  }

  /** Forks the process and compiles the script there; rejects with the reason when it cannot start. */
  static async start(options: ScriptHostOptions): Promise<ScriptHost> {
    const child = fork(RUNNER, [], {
      execArgv: [
        PERMISSION_FLAG,
        `--allow-fs-read=${RUNNER}`,
        '--disallow-code-generation-from-strings',
        `--max-old-space-size=${Math.max(8, Math.floor(options.memoryLimitBytes / 1024 / 1024))}`,
        '--no-warnings',
      ],
      env: options.allow.env ? flowVisibleEnvironment() : {},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const host = new ScriptHost(child, options);
    await new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        host.kill();
        reject(new Error(`the script process did not start: ${reason}`));
      };
      const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      child.once('close', (code, signal) => fail(host.exitReason(code, signal)));
      child.on('message', function ready(m: any) {
        if (m?.type !== 'ready' && m?.type !== 'startError') return;
        child.off('message', ready);
        clearTimeout(timer);
        if (m.type === 'ready') resolve();
        else fail(String(m.message));
      });
      child.send({
        type: 'init',
        source: options.source,
        filename: options.filename,
        binary: options.binary,
        timeoutMs: options.timeoutMs,
        memoryLimitBytes: options.memoryLimitBytes,
        allow: options.allow,
        env: options.allow.env ? JSON.stringify(flowVisibleEnvironment()) : undefined,
      });
    });
    return host;
  }

  get alive(): boolean {
    return !this.exited && this.child.connected;
  }

  /** Runs one batch; never rejects: a limit, a crash or a script error is an outcome with a reason. */
  run(json: string, binaries: Buffer[] | undefined, handlers: BatchHandlers): Promise<BatchOutcome> {
    if (this.pending) throw new Error('a batch is already running in this script process');
    if (!this.alive) return Promise.resolve({ ok: false, reason: 'the script process is not running' });
    const seq = ++this.seq;
    return new Promise<BatchOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.settle({ ok: false, reason: `timeout: the script ran longer than ${this.options.timeoutMs} ms` });
        this.kill();
      }, this.options.timeoutMs + KILL_GRACE_MS);
      this.pending = { seq, resolve, handlers, timer };
      this.child.send({ type: 'batch', seq, json, binaries });
    });
  }

  kill(): void {
    this.exited = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private settle(outcome: BatchOutcome): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve(outcome);
  }

  private onMessage(m: any): void {
    const p = this.pending;
    if (!p || m?.seq !== p.seq) return; // a late message of a batch that already timed out
    if (m.type === 'log') p.handlers.log(m.level === 'warn' || m.level === 'error' ? m.level : 'info', m.message);
    else if (m.type === 'call') this.answer(p, m.id, m.op, m.args);
    else if (m.type === 'result') {
      if (typeof m.error === 'string') this.settle({ ok: false, reason: m.error });
      else {
        let records: OutputRecord[];
        try {
          records = JSON.parse(m.json);
        } catch {
          this.settle({ ok: false, reason: 'the script process answered with malformed results' });
          return;
        }
        const binaries = (m.binaries ?? []).map((b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
        this.settle({ ok: true, records, binaries });
      }
    }
  }

  private answer(p: Pending, id: number, op: string, args: string): void {
    let parsed: unknown[];
    try {
      parsed = JSON.parse(args);
    } catch {
      parsed = [];
    }
    p.handlers.call(op, Array.isArray(parsed) ? parsed : []).then(
      (value) => {
        if (this.alive) this.child.send({ type: 'reply', id, json: value.json, bytes: value.bytes });
      },
      (err: unknown) => {
        if (this.alive) this.child.send({ type: 'reply', id, error: String((err as Error)?.message ?? err) });
      },
    );
  }

  private exitReason(code: number | null, signal: NodeJS.Signals | null): string {
    if (/heap out of memory|Allocation failed/i.test(this.stderr))
      return `memory: the script went over its memory limit of ${Math.round(this.options.memoryLimitBytes / 1024 / 1024)} MB and its process was stopped`;
    const first = this.stderr.split('\n').find((l) => l.trim() !== '');
    return `the script process exited (${signal ?? `code ${code}`})${first ? `: ${first.trim()}` : ''}`;
  }
}
