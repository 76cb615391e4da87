/**
 * The content store against a real nats-server: content of every size comes back byte-identical, a missing
 * claim is a ClaimMissingError, release deletes the object, and what it writes is a regular Object Store
 * object (the client's own reader gets the same bytes) while objects the client wrote are read too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type NatsServerHandle, startNats } from '../../test/helpers/nats-server';
import type { FlowFile } from '../engine/flowfile';
import { ClaimMissingError, ContentStore } from './content-store';
import { contentBucket } from './names';
import { NatsLink } from './nats-link';

let nats: NatsServerHandle;
let link: NatsLink;

beforeAll(async () => {
  nats = await startNats();
  link = await NatsLink.open(nats.url);
});

afterAll(async () => {
  await link?.close();
  await nats?.stop();
});

let n = 0;
function flowFile(content: Buffer): FlowFile {
  const id = `ff-${++n}`;
  return { id, attributes: {}, content, size: content.length, entryDate: Date.now(), lineageStartDate: Date.now() };
}

/** Messages left in the bucket's stream: chunks, and descriptions (objects or tombstones). */
async function left(flowId: string): Promise<{ chunks: number; descriptions: number }> {
  const bucket = contentBucket(flowId);
  const si = await link.jsm.streams.info(`OBJ_${bucket}`, { subjects_filter: '>' });
  let chunks = 0;
  let descriptions = 0;
  for (const [subject, n] of Object.entries(si.state.subjects ?? {}))
    if (subject.startsWith(`$O.${bucket}.C.`)) chunks += n;
    else descriptions += n;
  return { chunks, descriptions };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Objects in the flow's bucket, as the client lists them. */
async function objects(flowId: string): Promise<string[]> {
  const os = await link.js.views.os(contentBucket(flowId));
  return (await os.list()).map((o) => o.name);
}

describe('ContentStore', () => {
  const chunk = 64 * 1024;

  test.each([
    ['0 B', 0],
    ['1 B', 1],
    ['exactly one chunk', chunk],
    ['one chunk and a byte', chunk + 1],
    ['5 MB', 5 * 1024 * 1024],
  ])('a round trip of %s is byte-identical', async (_, size) => {
    const store = new ContentStore(link, 'roundtrip', 0, undefined, 1, { chunkSize: chunk });
    const content = randomBytes(size);
    const claim = await store.put(flowFile(content));
    const back = await store.get(claim);
    expect(back.length).toBe(size);
    expect(sha(back)).toBe(sha(content));
    // The Object Store's own reader agrees (the object is in the regular layout, digest included).
    const os = await link.js.views.os(contentBucket('roundtrip'));
    const blob = await os.getBlob(claim);
    expect(blob && sha(blob)).toBe(sha(content));
    expect((await os.info(claim))?.size).toBe(size);
  });

  test('5 MB in chunks as large as the server allows', async () => {
    const store = new ContentStore(link, 'maxchunk', 0);
    const content = randomBytes(5 * 1024 * 1024 + 7);
    const claim = await store.put(flowFile(content));
    expect((await (await link.js.views.os(contentBucket('maxchunk'))).info(claim))?.chunks).toBe(
      Math.ceil(content.length / link.maxPayload),
    );
    expect(sha(await store.get(claim))).toBe(sha(content));
  });

  test('an object the client wrote is read too', async () => {
    const store = new ContentStore(link, 'foreign', 0);
    const os = await link.js.views.os(contentBucket('foreign'));
    const content = randomBytes(300_000);
    await os.putBlob({ name: 'written-elsewhere', options: { max_chunk_size: 100_000 } }, content);
    expect(sha(await store.get('written-elsewhere'))).toBe(sha(content));
    store.release(['written-elsewhere']);
    await store.settle();
    expect(await objects('foreign')).toEqual([]);
    // No chunk is left; the description is a tombstone, as the client's own delete leaves it.
    expect(await left('foreign')).toEqual({ chunks: 0, descriptions: 1 });
  });

  test('a claim that is not there is a ClaimMissingError', async () => {
    const store = new ContentStore(link, 'missing', 0);
    await expect(store.get('no-such-claim')).rejects.toBeInstanceOf(ClaimMissingError);
  });

  test('release deletes the objects, chunks and description, and a released claim is missing', async () => {
    const warnings: string[] = [];
    const logger = { info() {}, debug() {}, error() {}, warn: (_: object, msg?: string) => warnings.push(msg ?? '') };
    const store = new ContentStore(link, 'release', 0, logger, 1, { chunkSize: chunk });
    const claims = await Promise.all([1, 2, 3].map(() => store.put(flowFile(randomBytes(3 * chunk + 5)))));
    expect((await objects('release')).sort()).toEqual([...claims].sort());
    // Twice at once (a message acknowledged by two engines): both find the object, one deletes each piece.
    store.release(claims);
    store.release(claims);
    await store.settle();
    expect(await objects('release')).toEqual([]);
    // No chunk is left behind; each description is a tombstone (see ContentStore.remove).
    expect(await left('release')).toEqual({ chunks: 0, descriptions: claims.length });
    await expect(store.get(claims[0]!)).rejects.toBeInstanceOf(ClaimMissingError);
    // Releasing again (a redelivered message acknowledged twice) is harmless.
    store.release(claims);
    await store.settle();
    expect(warnings).toEqual([]);
  });

  test('put and get ride out a nats-server restart (retried, not failed)', async () => {
    const own = await startNats();
    const ownLink = await NatsLink.open(own.url);
    try {
      const store = new ContentStore(ownLink, 'restart', 0, undefined, 1, { chunkSize: chunk });
      const before = randomBytes(300_000);
      const claim = await store.put(flowFile(before));
      await own.kill();
      const restarted = new Promise((r) => setTimeout(r, 500)).then(() => own.restart());
      const after = randomBytes(200_000);
      const [back, claim2] = await Promise.all([store.get(claim), store.put(flowFile(after))]);
      await restarted;
      expect(sha(back)).toBe(sha(before));
      expect(sha(await store.get(claim2))).toBe(sha(after));
    } finally {
      await ownLink.close();
      await own.stop();
    }
  }, 60_000);

  test('concurrent puts and gets of one store do not mix chunks', async () => {
    const store = new ContentStore(link, 'concurrent', 0, undefined, 1, { chunkSize: chunk });
    const contents = Array.from({ length: 8 }, (_, i) => randomBytes(200_000 + i * 10_000));
    const claims = await Promise.all(contents.map((c) => store.put(flowFile(c))));
    const back = await Promise.all(claims.map((c) => store.get(c)));
    back.forEach((b, i) => {
      expect(sha(b)).toBe(sha(contents[i]!));
    });
  });
});
