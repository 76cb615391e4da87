/**
 * The flow store `sluice serve` uses on its data directory: flow files with sensitive values encrypted, each
 * save recorded as a version in `<data>/versions` (Encrypting → Versioned → FlowStore, so versions hold the
 * ciphertext). Returns the history too, for the versions API.
 */
import path from 'node:path';
import type { ProcessorLogger } from '../engine/contract';
import { EncryptingFlowStore } from '../secrets/encrypting-flow-store';
import type { SecretBox } from '../secrets/secret-box';
import { FlowStore } from '../storage/flow-store';
import { FlowHistory, type FlowHistoryOptions } from './flow-history';
import { VersionedFlowStore } from './versioned-flow-store';

export const VERSIONS_DIR = 'versions';

export function versionedFileStore(
  dataDir: string,
  box: SecretBox,
  logger?: ProcessorLogger,
  gitOptions: Pick<FlowHistoryOptions, 'git' | 'timeoutMs'> = {},
): { store: EncryptingFlowStore; history: FlowHistory } {
  const history: FlowHistory = new FlowHistory(path.join(dataDir, VERSIONS_DIR), {
    ...gitOptions,
    logger,
    sameSecret: (a, b) => {
      try {
        return box.decrypt(a) === box.decrypt(b);
      } catch {
        return false;
      }
    },
    toPlain: (id, stored): unknown => store.decrypt(id, stored),
  });
  const store: EncryptingFlowStore = new EncryptingFlowStore(
    new VersionedFlowStore(new FlowStore(dataDir), history, logger),
    box,
    logger,
  );
  return { store, history };
}
