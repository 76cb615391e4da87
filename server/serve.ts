import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { createRegistry } from '../processors/registry';
import { createLogger } from './logger';
import { FlowManager } from './runtime/flow-manager';
import { MemoryProvenanceStore } from './storage/memory-provenance-store';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  allowedDirs?: string[];
  examplesDir?: string;
  logLevel?: string;
}

export const EXAMPLES_DIR = path.resolve(import.meta.dirname, '../flows/examples');

export async function startServer(options: ServeOptions) {
  const logger = createLogger(options.logLevel);
  const registry = createRegistry();
  const manager = new FlowManager({
    registry,
    provenance: new MemoryProvenanceStore(),
    logger,
    allowedDirs: options.allowedDirs,
  });
  const examplesDir = options.examplesDir ?? EXAMPLES_DIR;
  for (const file of (await readdir(examplesDir)).filter((f) => f.endsWith('.json')).sort()) {
    try {
      const flow = await manager.put(JSON.parse(await readFile(path.join(examplesDir, file), 'utf8')));
      await manager.start(flow.id);
    } catch (err) {
      logger.warn({ file, err: (err as Error).message }, 'example flow not loaded');
    }
  }

  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', flows: manager.list().length });
  });

  const server = app.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  logger.info({ url }, 'sluice is serving');
  return {
    url,
    manager,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await manager.close();
    },
  };
}
