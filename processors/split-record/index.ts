/**
 * SplitRecord: cuts a FlowFile's records into FlowFiles of at most `recordsPerSplit` records each, written with
 * the writer, with fragment.* attributes (FORK provenance) so MergeContent or MergeRecord can follow them.
 */
import {
  defineProcessor,
  failWith,
  INVALID_RELATIONSHIP,
  RECORD_READER,
  RECORD_WRITER,
  type RecordReader,
  type RecordWriter,
  recordCountText,
  transferInvalid,
} from '../../sdk';
import { FRAGMENT_COUNT, FRAGMENT_ID, fragmentAttributes } from '../fragments';
import {
  childWithRecords,
  FAILURE_RELATIONSHIP,
  missingServiceIssues,
  RECORD_ERROR,
  readerProperty,
  readRecords,
  recordBatchSize,
  type WrittenRecords,
  writeRecords,
  writerProperty,
} from '../record-flowfiles';

interface SplitState {
  reader: RecordReader;
  writer: RecordWriter;
}

export default defineProcessor({
  type: 'SplitRecord',
  category: 'transform',
  description:
    'Splits the records of a FlowFile into FlowFiles of at most recordsPerSplit records each, written with the writer (FORK provenance, fragment.* attributes).',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: readerProperty,
      writer: writerProperty,
      recordsPerSplit: {
        type: 'integer',
        minimum: 1,
        maximum: 10_000_000,
        default: 1,
        description: 'Most records in one split; the last split holds what remains.',
      },
      batchSize: recordBatchSize,
    },
  },
  relationships: [
    {
      name: 'splits',
      description:
        "One FlowFile per split, in record order: record.count, mime.type, fragment.identifier (the original's id), fragment.index (0-based), fragment.count, segment.original.filename.",
    },
    {
      name: 'original',
      description: 'The FlowFile that was split, unchanged but for fragment.identifier and fragment.count.',
    },
    INVALID_RELATIONSHIP,
    FAILURE_RELATIONSHIP,
  ],
  validate: (config) => missingServiceIssues(config),
  setup: (config, ctx): SplitState => ({
    reader: ctx.services.get<RecordReader>(config.reader!, RECORD_READER),
    writer: ctx.services.get<RecordWriter>(config.writer!, RECORD_WRITER),
  }),
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      const set = await readRecords(session, ff, state.reader);
      if (!set) continue;
      const n = config.recordsPerSplit;
      const splits: WrittenRecords[] = [];
      try {
        for (let start = 0; start < set.records.length; start += n)
          splits.push(await writeRecords(state.writer, set.records.slice(start, start + n), set.schema));
      } catch (err) {
        failWith(session, ff, RECORD_ERROR, err);
        continue;
      }
      transferInvalid(session, ff, set.invalid);
      splits.forEach((written, index) => {
        const attributes = fragmentAttributes(ff, index, splits.length);
        session.transfer(childWithRecords(session, [ff], state.writer, written, attributes), 'splits');
      });
      const original = session.putAttributes(ff, { [FRAGMENT_ID]: ff.id, [FRAGMENT_COUNT]: String(splits.length) });
      session.describe(
        original,
        `${recordCountText(set.records.length)} in ${splits.length} split${splits.length === 1 ? '' : 's'}`,
      );
      session.transfer(original, 'original');
    }
  },
});
