import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryProvenanceStore } from '../memory-provenance-store';
import { LmdbProvenanceStore } from './lmdb-provenance-store';
import { provenanceStoreContract } from './provenance-store-contract';

provenanceStoreContract('MemoryProvenanceStore', () => ({
  store: new MemoryProvenanceStore(),
  dispose: async () => {},
}));

provenanceStoreContract('LmdbProvenanceStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-prov-'));
  // Tiny FlowFile index segments, so lookups cross many of them.
  const store = LmdbProvenanceStore.open(dir, { segmentEntries: 4 });
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
