/**
 * MergeRecord: joins the records of many FlowFiles into one FlowFile written with the writer (JOIN provenance),
 * binned by correlation attribute and by their fields, until a bin holds minRecords (or maxRecords, or is
 * maxBinAge old). FlowFiles waiting for a bin stay in the input queue (requeued each trigger, as MergeContent's),
 * so nothing is lost on stop or crash.
 */
import {
  defineProcessor,
  duration,
  type FlowFile,
  failWith,
  INVALID_RELATIONSHIP,
  type ProcessSession,
  RECORD_READER,
  RECORD_WRITER,
  type RecordObject,
  type RecordReader,
  type RecordSet,
  type RecordWriter,
  recordCountText,
  transferInvalid,
} from '../../sdk';
import {
  childWithRecords,
  FAILURE_RELATIONSHIP,
  missingServiceIssues,
  RECORD_ERROR,
  readerProperty,
  writeRecords,
  writerProperty,
} from '../record-flowfiles';
import {
  type BinEntry,
  type BinLimits,
  binKey,
  type MergeReason,
  packRecordBins,
  type RecordBin,
  readyRecordBins,
  unionSchema,
} from './record-bins';

/** Most FlowFiles one trigger takes. */
const MAX_TAKE = 10_000;

/** What this processor remembers of a FlowFile waiting in a bin: when it first took it and its bin. */
interface Seen {
  at: number;
  size: number;
  key: string;
  records: number;
}

interface MergeState {
  reader: RecordReader;
  writer: RecordWriter;
  limits: BinLimits;
  seen: Map<string, Seen>;
}

async function mergeBin(
  session: ProcessSession,
  state: MergeState,
  bin: RecordBin,
  sets: Map<string, RecordSet>,
  reason: MergeReason,
  now: number,
): Promise<void> {
  const members: FlowFile[] = [];
  const read: RecordSet[] = [];
  for (const { ff } of bin.members) {
    state.seen.delete(ff.id);
    let set = sets.get(ff.id);
    if (!set) {
      try {
        set = await state.reader.read(ff.content, ff.attributes);
      } catch (err) {
        failWith(session, ff, RECORD_ERROR, err);
        continue;
      }
    }
    members.push(ff);
    read.push(set);
  }
  if (members.length === 0) return;
  const records: RecordObject[] = read.flatMap((s) => s.records);
  let written: Awaited<ReturnType<typeof writeRecords>>;
  try {
    written = await writeRecords(state.writer, records, unionSchema(read.map((s) => s.schema)));
  } catch (err) {
    for (const ff of members) failWith(session, ff, RECORD_ERROR, err);
    return;
  }
  members.forEach((ff, i) => {
    transferInvalid(session, ff, read[i]!.invalid);
  });
  const merged = childWithRecords(session, members, state.writer, written, {
    'merge.count': String(members.length),
    'merge.reason': reason,
    'merge.bin.age': String(now - bin.since),
  });
  session.transfer(merged, 'merged');
  if (members.length === 1) session.describe(members[0]!, recordCountText(records.length));
  for (const ff of members) session.transfer(ff, 'original');
}

export default defineProcessor({
  type: 'MergeRecord',
  category: 'transform',
  description:
    'Merges the records of many FlowFiles into one, written with the writer (JOIN provenance): binned by a correlation attribute and by their fields, merged at minRecords, maxRecords or maxBinAge. Waiting FlowFiles stay in the input queue, so nothing is lost on stop or crash.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: readerProperty,
      writer: writerProperty,
      correlationAttribute: {
        type: 'string',
        default: '',
        description:
          'Only FlowFiles with the same value of this attribute share a bin ("" = binned by their fields alone).',
      },
      minRecords: {
        type: 'integer',
        minimum: 1,
        default: 1,
        description: 'A bin is merged once it holds this many records and nothing more is queued.',
      },
      maxRecords: {
        type: 'integer',
        minimum: 1,
        default: 1000,
        description:
          'A bin is merged once it holds this many records; a FlowFile that would take it beyond starts a new bin (a larger one is merged alone).',
      },
      maxBinAge: duration('A bin older than this is merged even below minRecords; 0s = never.', '30s'),
      maxBins: {
        type: 'integer',
        minimum: 1,
        maximum: 10000,
        default: 10,
        description: 'Bins waiting at once; beyond this the oldest is merged.',
      },
    },
  },
  relationships: [
    {
      name: 'merged',
      description:
        'The merged FlowFile: the records of its parents in arrival order, written with the writer; attributes common to all parents, record.count, mime.type, merge.count, merge.reason and merge.bin.age (ms).',
    },
    { name: 'original', description: 'The FlowFiles that went into a merge, and those without records (at once).' },
    INVALID_RELATIONSHIP,
    FAILURE_RELATIONSHIP,
  ],
  validate(config) {
    const issues = missingServiceIssues(config);
    if (config.minRecords > config.maxRecords)
      issues.push({ path: '/minRecords', message: `must not exceed maxRecords (${config.maxRecords})` });
    return issues;
  },
  setup: (config, ctx): MergeState => ({
    reader: ctx.services.get<RecordReader>(config.reader!, RECORD_READER),
    writer: ctx.services.get<RecordWriter>(config.writer!, RECORD_WRITER),
    limits: {
      minRecords: config.minRecords,
      maxRecords: config.maxRecords,
      maxAgeMs: config.maxBinAge,
      maxBins: config.maxBins,
    },
    seen: new Map(),
  }),
  async onTrigger(session, ctx) {
    const { config, state } = ctx;
    const ffs = await session.get(MAX_TAKE);
    if (ffs.length === 0) return;
    const now = Date.now();
    const attribute = config.correlationAttribute;
    // Records read in this trigger; a FlowFile read in an earlier one is known by its count and key until merged.
    const sets = new Map<string, RecordSet>();
    const entries: BinEntry[] = [];
    for (const ff of ffs) {
      let seen = state.seen.get(ff.id);
      if (!seen || seen.size !== ff.size) {
        let set: RecordSet;
        try {
          set = await state.reader.read(ff.content, ff.attributes);
        } catch (err) {
          state.seen.delete(ff.id);
          failWith(session, ff, RECORD_ERROR, err);
          continue;
        }
        if (set.records.length === 0) {
          // Nothing to merge: it would only wait for its bin's age.
          state.seen.delete(ff.id);
          transferInvalid(session, ff, set.invalid);
          session.transfer(ff, 'original');
          continue;
        }
        sets.set(ff.id, set);
        const key = binKey(attribute ? (ff.attributes[attribute] ?? '') : '', set.schema);
        seen = { at: seen?.at ?? now, size: ff.size, key, records: set.records.length };
        state.seen.set(ff.id, seen);
      }
      entries.push({ ff, key: seen.key, records: seen.records, since: seen.at });
    }
    const bins = packRecordBins(entries, state.limits.maxRecords);
    const ready = readyRecordBins(bins, state.limits, now, ffs.length < MAX_TAKE);
    const waiting: FlowFile[] = [];
    for (const bin of bins) {
      const reason = ready.get(bin);
      if (reason) await mergeBin(session, state, bin, sets, reason, now);
      else waiting.push(...bin.members.map((e) => e.ff));
    }
    for (const ff of waiting) session.requeue(ff);
    if (waiting.length > 0 && ready.size === 0) ctx.yield();
    if (state.seen.size > 4 * MAX_TAKE) {
      // Entries for FlowFiles that never came back (emptied queue, expired): keep only those waiting now.
      const keep = new Set(waiting.map((ff) => ff.id));
      for (const id of state.seen.keys()) if (!keep.has(id)) state.seen.delete(id);
    }
  },
});
