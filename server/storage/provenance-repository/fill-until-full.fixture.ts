/**
 * Test helper run as a child process under a small file-size limit (`ulimit -f`): writes provenance until the
 * environment refuses, then prints the error message (or "no error").
 */
import { newFlowFile } from '../../engine/flowfile';
import { ProvenanceBatch } from '../../engine/provenance-batch';
import { LmdbProvenanceStore } from './lmdb-provenance-store';

const store = LmdbProvenanceStore.open(process.argv[2]!, { mapSize: 1024 ** 2 });
try {
  for (let b = 0; b < 2000; b++) {
    const batch = new ProvenanceBatch(Date.now(), 'flow', 'gen', 'GenerateFlowFile');
    for (let i = 0; i < 100; i++) batch.add('CREATE', newFlowFile('x', { payload: 'y'.repeat(200) }));
    await store.appendBatch(batch);
  }
  console.log('no error');
} catch (err) {
  console.log((err as Error).message);
}
process.exit(0);
