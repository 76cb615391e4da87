import path from 'node:path';
import { parseDuration, parseSize } from '../../engine/units';
import { LmdbProvenanceStore } from '../provenance-repository/lmdb-provenance-store';
import { FlowFileRepository } from './flowfile-repository';
import type { SyncPolicy } from './sync-policy';

/**
 * The durable repository of a data directory (`<dataDir>/repository`), provenance included. The content
 * archive (what provenance can still show and replay) is kept SLUICE_CONTENT_ARCHIVE_MAX_AGE (default 12h) and
 * up to SLUICE_CONTENT_ARCHIVE_MAX_SIZE (default 1 GB).
 */
export function openRepository(
  dataDir: string,
  options: { sync?: SyncPolicy; swapThreshold?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
): FlowFileRepository {
  const maxAge = env.SLUICE_CONTENT_ARCHIVE_MAX_AGE;
  const maxSize = env.SLUICE_CONTENT_ARCHIVE_MAX_SIZE;
  return FlowFileRepository.open(path.join(dataDir, 'repository'), {
    sync: options.sync ?? 'always',
    swapThreshold: options.swapThreshold,
    contentArchiveMaxAgeMs: maxAge ? setting('SLUICE_CONTENT_ARCHIVE_MAX_AGE', () => parseDuration(maxAge)) : undefined,
    contentArchiveMaxBytes: maxSize ? setting('SLUICE_CONTENT_ARCHIVE_MAX_SIZE', () => parseSize(maxSize)) : undefined,
    provenance: (root) => new LmdbProvenanceStore(root),
  });
}

function setting(name: string, parse: () => number): number {
  try {
    return parse();
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}
