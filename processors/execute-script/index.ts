import {
  type ConfigIssue,
  defineProcessor,
  duration,
  type FlowFile,
  formatSize,
  size,
  type TriggerContext,
} from '../../sdk';
import { applyRecords, checkRecords, FAILURE_REASON, failBatch } from './apply-results';
import { bridge } from './bridge';
import { type BatchHandlers, ScriptHost, type ScriptHostOptions } from './script-host';
import { checkScriptSyntax, wrapScript } from './script-source';

const MIN_MEMORY = 16 * 1024 * 1024;
const MAX_MEMORY = 16 * 1024 * 1024 * 1024;

const SCRIPT_HELP =
  'JavaScript, the body of an async function called once per batch with `flowFiles`: an array of ' +
  '{ id, attributes, content, relationship }. Change `ff.attributes` (set, or delete a key), assign `ff.content` ' +
  '(a string, a Uint8Array, or any other value as JSON) and set `ff.relationship` to "success" (the default), ' +
  '"failure" or null (drop). `create(parent, { attributes, content, relationship })` makes a child FlowFile ' +
  '(parent: one of flowFiles, an array of them, or null). Return nothing to emit flowFiles and the created ' +
  'ones, or return an array of those to emit (the others are dropped). `log(...)`, `log.warn`, `log.error` ' +
  'and `console` write to the server log. `env`, `fs` and `fetch` exist only when `allow` opts in. A throw ' +
  'sends the whole batch to failure.';

/** Reused script processes, one per concurrent task; a process that hit a limit is replaced. */
class ScriptPool {
  private idle: ScriptHost[] = [];
  private readonly all = new Set<ScriptHost>();
  private closed = false;

  constructor(private readonly options: ScriptHostOptions) {}

  async acquire(): Promise<ScriptHost> {
    for (let host = this.idle.pop(); host; host = this.idle.pop()) {
      if (host.alive) return host;
      this.all.delete(host);
    }
    const host = await ScriptHost.start(this.options);
    this.all.add(host);
    if (this.closed) this.release(host);
    return host;
  }

  release(host: ScriptHost): void {
    if (!this.closed && host.alive) this.idle.push(host);
    else {
      host.kill();
      this.all.delete(host);
    }
  }

  close(): void {
    this.closed = true;
    for (const host of this.all) host.kill();
    this.all.clear();
    this.idle = [];
  }
}

export default defineProcessor({
  type: 'ExecuteScript',
  category: 'transform',
  description:
    "Runs a JavaScript function over each batch of FlowFiles (Node-RED's function node, NiFi's ExecuteScript): update attributes, rewrite content, route to success or failure, drop, or create children. " +
    'The script runs in its own process under a time limit per batch and a memory limit; one that runs over either is stopped (the next batch gets a new process) and its batch goes to failure with the reason in "sluice.failure.reason". ' +
    'It has no file system, network, child processes or environment unless `allow` opts in. ' +
    'This isolation bounds resources and removes ambient access; it is not a hardened sandbox against a determined attacker (vm contexts can be escaped): let only trusted users edit scripts.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      script: { type: 'string', 'x-format': 'javascript', default: '', description: SCRIPT_HELP },
      contentEncoding: {
        type: 'string',
        enum: ['utf8', 'binary'],
        default: 'utf8',
        description: '`ff.content` as a UTF-8 string, or as a Uint8Array of the bytes.',
      },
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 10000,
        default: 100,
        description: 'FlowFiles per session, handed to one call of the script.',
      },
      timeout: duration(
        'Wall-clock limit for one batch; over it the script is stopped and the batch goes to failure.',
        '1 s',
      ),
      memoryLimit: size(
        'Heap limit of the script process (16 MB to 16 GB), also applied to the bytes of buffers the script allocates; over it the process is stopped and the batch goes to failure.',
        '64 MB',
      ),
      allow: {
        type: 'object',
        additionalProperties: false,
        properties: {
          env: { type: 'boolean', default: false, description: '`env`: the server environment variables.' },
          fs: {
            type: 'boolean',
            default: false,
            description:
              '`fs.readFile(path, encoding?)`, `fs.writeFile(path, data)`, `fs.readdir(path)`: absolute paths under the allowed directories.',
          },
          net: {
            type: 'boolean',
            default: false,
            description:
              '`fetch(url, { method, headers, body })`: resolves to { status, ok, headers, body, text(), json() }.',
          },
        },
        default: { env: false, fs: false, net: false },
        description: 'What the script may reach besides its FlowFiles; everything is off by default.',
      },
    },
  },
  relationships: [
    { name: 'success', description: 'FlowFiles the script sent to success (the default).' },
    {
      name: 'failure',
      description:
        'FlowFiles the script sent to failure, and every FlowFile of a batch whose script threw or went over a limit (reason in "sluice.failure.reason").',
    },
  ],
  validate: (config) => {
    const issues: ConfigIssue[] = checkScriptSyntax(config.script);
    const memory = config.memoryLimit;
    if (memory < MIN_MEMORY || memory > MAX_MEMORY)
      issues.push({ path: '/memoryLimit', message: `must be between 16 MB and 16 GB; got ${formatSize(memory)}` });
    if (config.timeout <= 0) issues.push({ path: '/timeout', message: 'must be more than 0' });
    return issues;
  },
  async setup(config, ctx) {
    const timeoutMs = config.timeout;
    const memoryLimitBytes = config.memoryLimit;
    const allow = { env: config.allow.env === true, fs: config.allow.fs === true, net: config.allow.net === true };
    const pool = new ScriptPool({
      source: wrapScript(config.script),
      filename: `ExecuteScript ${ctx.processorId}`,
      binary: config.contentEncoding === 'binary',
      timeoutMs,
      memoryLimitBytes,
      allow,
    });
    pool.release(await pool.acquire()); // compile now: a start problem stops the processor, not a batch
    const call = bridge({ allowedDirs: ctx.allowedDirs, allow, maxBytes: memoryLimitBytes, timeoutMs });
    return { pool, call };
  },
  async onTrigger(session, ctx) {
    const { config, state } = ctx;
    const batch = await session.get(config.batchSize);
    if (batch.length === 0) return;
    const binary = config.contentEncoding === 'binary';
    const json = JSON.stringify(
      batch.map((ff) => ({ id: ff.id, attributes: ff.attributes, content: binary ? null : ff.content.toString() })),
    );
    const host = await state.pool.acquire();
    let outcome: Awaited<ReturnType<ScriptHost['run']>>;
    try {
      outcome = await host.run(json, binary ? batch.map((ff) => ff.content) : undefined, handlers(ctx, batch));
    } finally {
      state.pool.release(host);
    }
    const problem = outcome.ok ? checkRecords(outcome.records, batch.length, outcome.binaries.length) : outcome.reason;
    if (problem !== undefined || !outcome.ok) {
      const reason = problem ?? 'unknown';
      ctx.logger.error(
        { processorId: ctx.processorId, flowFileIds: batch.map((ff) => ff.id), [FAILURE_REASON]: reason },
        `ExecuteScript "${ctx.processorId}": ${reason}; ${batch.length} FlowFile(s) sent to failure`,
      );
      failBatch(session, batch, reason);
      return;
    }
    applyRecords(session, batch, outcome.records, outcome.binaries);
  },
  teardown(state) {
    state.pool.close();
  },
});

function handlers(
  ctx: TriggerContext<unknown, { call: BatchHandlers['call'] }>,
  batch: readonly FlowFile[],
): BatchHandlers {
  return {
    log: (level, message) =>
      ctx.logger[level]({ processorId: ctx.processorId, flowFiles: batch.length }, `script: ${message}`),
    call: ctx.state.call,
  };
}
