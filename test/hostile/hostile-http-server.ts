/**
 * A real Sluice HTTP server for the hostile HTTP tests, built from `createApp` so the tests can set the limits
 * (SSE clients and buffer, allowed hosts, token) that `sluice serve` exposes as options.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRegistry } from '../../processors/registry';
import { type AppOptions, createApp } from '../../server/api/app';
import type { StatusStream } from '../../server/api/status-stream';
import { createLogger } from '../../server/logger';
import { FlowManager } from '../../server/runtime/flow-manager';
import { FlowStore } from '../../server/storage/flow-store';
import { MemoryProvenanceStore } from '../../server/storage/memory-provenance-store';

export interface HostileServer {
  url: string;
  port: number;
  dataDir: string;
  manager: FlowManager;
  stream: StatusStream;
  close(): Promise<void>;
}

type Extra = Partial<Omit<AppOptions, 'manager' | 'provenance' | 'logger'>>;

export async function startHostileServer(extra: Extra = {}): Promise<HostileServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-hostile-'));
  const logger = createLogger('silent');
  const provenance = new MemoryProvenanceStore();
  const manager = new FlowManager({
    registry: createRegistry(),
    provenance,
    logger,
    allowedDirs: [dataDir],
    authenticated: Boolean(extra.token),
    store: new FlowStore(dataDir),
  });
  await manager.load(false);
  const { app, stream } = createApp({
    manager,
    provenance,
    logger,
    maxBodyBytes: 5 * 1024 * 1024,
    uiDir: path.join(dataDir, 'no-ui'),
    ...extra,
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1');
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    manager,
    stream,
    async close() {
      stream.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await manager.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
