/**
 * The NATS wire formats alone, old against new: queue messages (version 1, msgpackr, against version 2,
 * dictionary-encoded) and provenance messages (version 2 against version 3). FlowFiles like the linear
 * benchmark's (100 B of content, attributes a, b, region plus filename, path and uuid), in batches of 1,000;
 * provenance as the linear flow records it: per batch a CREATE, ATTRIBUTES_MODIFIED, ROUTE and DROP session.
 * `node --import tsx bench/codec.ts [flowFiles]` prints one JSON object: µs per FlowFile (per event for
 * provenance) to encode and to decode, and bytes per FlowFile (per event), best of several rounds.
 */

import { type FlowFile, newFlowFile } from '../server/engine/flowfile';
import type { ProvenanceEventType } from '../server/engine/provenance';
import { ProvenanceBatch } from '../server/engine/provenance-batch';
import { decodeBatch, encodeBatch, type OutgoingFlowFile } from '../server/nats/codec';
import { encodeBatchV1 } from '../server/nats/codec-v1';
import {
  decodeProvenance,
  encodeBatchMessages,
  encodeBatchSlice,
  encodeBatchSliceV2,
} from '../server/nats/provenance-codec';

const COUNT = Number(process.argv[2] ?? 200_000);
const BATCH = 1000;
const ROUNDS = 7;
const MAX_BYTES = 1024 * 1024 - 4096;

const content = Buffer.alloc(100, 120);
const flowFiles: FlowFile[] = Array.from({ length: COUNT }, () =>
  newFlowFile(content, { a: '1', b: '2', region: 'eu' }),
);

const queueBatches: OutgoingFlowFile[][] = [];
for (let i = 0; i < COUNT; i += BATCH) queueBatches.push(flowFiles.slice(i, i + BATCH).map((ff) => ({ ff })));

const hops: [string, string, ProvenanceEventType, string | undefined][] = [
  ['gen', 'GenerateFlowFile', 'CREATE', undefined],
  ['tag', 'UpdateAttribute', 'ATTRIBUTES_MODIFIED', undefined],
  ['route', 'RouteOnAttribute', 'ROUTE', 'eu'],
  ['sink', 'CountingSink', 'DROP', undefined],
];
const provenanceBatches: ProvenanceBatch[] = [];
for (let i = 0; i < COUNT; i += BATCH)
  for (const [id, type, event, relationship] of hops) {
    const batch = new ProvenanceBatch(Date.now(), 'bench-linear', id, type);
    for (const ff of flowFiles.slice(i, i + BATCH)) batch.add(event, ff, relationship);
    provenanceBatches.push(batch);
  }
const events = provenanceBatches.reduce((n, b) => n + b.length, 0);

interface Figures {
  encodeUs: number;
  decodeUs: number;
  bytesPer: number;
}

/** Best of `ROUNDS` (after a warm-up) of encoding every batch, then decoding every message. */
function measure<T>(
  batches: readonly T[],
  units: number,
  encode: (b: T) => Buffer[],
  decode: (data: Buffer) => number,
): Figures {
  let bestEncode = Number.POSITIVE_INFINITY;
  let bestDecode = Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (let round = 0; round < ROUNDS + 2; round++) {
    const messages: Buffer[] = [];
    let t = performance.now();
    for (const b of batches) for (const m of encode(b)) messages.push(m);
    const encodeMs = performance.now() - t;
    t = performance.now();
    let decoded = 0;
    for (const m of messages) decoded += decode(m);
    const decodeMs = performance.now() - t;
    if (decoded !== units) throw new Error(`decoded ${decoded} of ${units}`);
    bytes = messages.reduce((n, m) => n + m.length, 0);
    if (round < 2) continue;
    bestEncode = Math.min(bestEncode, encodeMs);
    bestDecode = Math.min(bestDecode, decodeMs);
  }
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    encodeUs: round3((bestEncode * 1000) / units),
    decodeUs: round3((bestDecode * 1000) / units),
    bytesPer: Math.round((bytes / units) * 10) / 10,
  };
}

const decodeQueue = (data: Buffer) => decodeBatch(data).length;
const decodeProv = (data: Buffer) => {
  const d = decodeProvenance(data);
  return 'batch' in d ? d.batch.length : d.events.length;
};

const queueV1 = measure(queueBatches, COUNT, (b) => [encodeBatchV1(b)], decodeQueue);
const queueV2 = measure(queueBatches, COUNT, (b) => [encodeBatch(b)], decodeQueue);
const provV2 = measure(provenanceBatches, events, (b) => [encodeBatchSliceV2(b, 0, b.length)], decodeProv);
const provV3 = measure(provenanceBatches, events, (b) => [encodeBatchSlice(b, 0, b.length)], decodeProv);
const provV3Bounded = measure(
  provenanceBatches,
  events,
  (b) => encodeBatchMessages(b, MAX_BYTES).map((c) => c.data),
  decodeProv,
);

const ratio = (a: number, b: number) => Math.round((b / a) * 100) / 100;
console.log(
  JSON.stringify({
    flowFiles: COUNT,
    batch: BATCH,
    node: process.version,
    queue: {
      old: { format: 'v1 msgpackr', ...queueV1 },
      new: { format: 'v2 dictionary', ...queueV2 },
      newOverOld: {
        encode: ratio(queueV1.encodeUs, queueV2.encodeUs),
        decode: ratio(queueV1.decodeUs, queueV2.decodeUs),
        bytes: ratio(queueV1.bytesPer, queueV2.bytesPer),
      },
    },
    provenance: {
      events,
      old: { format: 'v2 msgpackr by column', ...provV2 },
      new: { format: 'v3 dictionary by column', ...provV3 },
      newBounded: { format: `v3 via encodeBatchMessages(${MAX_BYTES})`, ...provV3Bounded },
      newOverOld: {
        encode: ratio(provV2.encodeUs, provV3.encodeUs),
        decode: ratio(provV2.decodeUs, provV3.decodeUs),
        bytes: ratio(provV2.bytesPer, provV3.bytesPer),
      },
    },
  }),
);
