import path from 'node:path';
import { LmdbProvenanceStore } from '../provenance-repository/lmdb-provenance-store';
import { FlowFileRepository } from './flowfile-repository';
import type { SyncPolicy } from './sync-policy';

/** The durable repository of a data directory (`<dataDir>/repository`), provenance included. */
export function openRepository(
  dataDir: string,
  options: { sync?: SyncPolicy; swapThreshold?: number } = {},
): FlowFileRepository {
  return FlowFileRepository.open(path.join(dataDir, 'repository'), {
    sync: options.sync ?? 'always',
    swapThreshold: options.swapThreshold,
    provenance: (root) => new LmdbProvenanceStore(root),
  });
}
