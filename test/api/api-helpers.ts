import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningServer, type ServeOptions, startServer } from '../../server/serve';

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** Closes the server; removes the data directory unless `keepData`. */
  close(keepData?: boolean): Promise<void>;
}

/** A real server on a free 127.0.0.1 port with a fresh (or given) data directory and no example flows. */
export async function startTestServer(options: Partial<ServeOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'sluice-api-')));
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    examplesDir: false,
    logLevel: 'silent',
    uiDir: path.join(dataDir, 'no-ui'),
    ...options,
    dataDir,
  });
  return {
    server,
    url: server.url,
    dataDir,
    async close(keepData = false) {
      await server.close();
      // Retried: a write the closing server had already started may land while the tree is removed (ENOTEMPTY).
      if (!keepData) await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/**
 * Generate → Log: `count` FlowFiles (0 = endless) every `period`, logged (silently) by "log" through the
 * connection "gen-to-log".
 */
export function pipeFlow(id: string, options: { count?: number; period?: string; batchSize?: number } = {}) {
  return {
    schemaVersion: 1,
    id,
    name: `Pipe ${id}`,
    processors: [
      {
        id: 'gen',
        type: 'GenerateFlowFile',
        name: 'Generate',
        position: { x: 0, y: 0 },
        config: {
          content: 'hello',
          attributes: { 'mime.type': 'text/plain' },
          count: options.count ?? 10,
          batchSize: options.batchSize ?? 1,
        },
        schedule: { period: options.period ?? '10ms' },
      },
      {
        id: 'log',
        type: 'LogAttribute',
        name: 'Log',
        position: { x: 0, y: 200 },
        config: { logLevel: 'none' },
        autoTerminate: ['success'],
      },
    ],
    connections: [{ id: 'gen-to-log', source: 'gen', relationships: ['success'], target: 'log' }],
  };
}

/** Polls `check` until it returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}
