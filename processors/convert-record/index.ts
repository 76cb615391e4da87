/**
 * ConvertRecord: reads a FlowFile's records with a record reader and writes them with a record writer (NiFi's
 * ConvertRecord). The reader and writer are services (`reader`, `writer`); without them the inline settings of
 * older flows (inputFormat, outputFormat, header, ...) build the same reader and writer. A configured service
 * wins over the inline settings of its side. Records the reader refuses go to `invalid`; the rest convert.
 */
import {
  defineProcessor,
  errorText,
  failWith,
  INVALID_RELATIONSHIP,
  RECORD_READER,
  RECORD_WRITER,
  type RecordReader,
  type RecordWriter,
  recordCountText,
  serviceReference,
  transferInvalid,
} from '../../sdk';
import { inlineReader, inlineWriter } from './inline-format';

/** record.schema is set when the schema's JSON is below this size (attributes stay small). */
const SCHEMA_ATTRIBUTE_LIMIT = 8 * 1024;

interface State {
  reader: RecordReader;
  writer: RecordWriter;
}

export default defineProcessor({
  type: 'ConvertRecord',
  category: 'transform',
  description:
    'Converts records from one format to another with a record reader and writer (CSV, JSON, Parquet); records the reader refuses go to invalid with their line and reason, the rest convert. record.count is set.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: serviceReference(
        RECORD_READER,
        'The record reader service (CSVReader, JsonRecordReader, ParquetReader). When set, inputFormat, header, delimiter, quote, inferTypes and relaxColumnCount are not used for reading.',
      ),
      writer: serviceReference(
        RECORD_WRITER,
        'The record writer service (CSVRecordSetWriter, JsonRecordSetWriter, ParquetRecordSetWriter). When set, outputFormat, header, delimiter and quote are not used for writing.',
      ),
      inputFormat: {
        enum: ['csv', 'json'],
        default: 'csv',
        description: 'Without a reader: csv, or json (an array of records, or one record per line; detected).',
      },
      outputFormat: {
        enum: ['json-array', 'json-lines', 'csv'],
        default: 'json-lines',
        description: 'Without a writer: json-array (one JSON array), json-lines (one record per line), or csv.',
      },
      header: {
        type: 'boolean',
        default: true,
        description:
          'Inline CSV: a header line names the fields when read (off: column1..N) and lists the columns when written.',
      },
      delimiter: {
        type: 'string',
        minLength: 1,
        maxLength: 4,
        default: ',',
        description: 'Inline CSV field separator.',
      },
      quote: { type: 'string', minLength: 1, maxLength: 1, default: '"', description: 'Inline CSV quote character.' },
      inferTypes: {
        type: 'boolean',
        default: false,
        description:
          'Inline CSV reading: infer column types carefully over all rows (integer, number, boolean only when every value is plainly one; "007", "0x10", "1e3" stay text). Off: every field is a string.',
      },
      relaxColumnCount: {
        type: 'boolean',
        default: false,
        description:
          'Inline CSV reading: a row with fewer fields than the header has the missing ones null (off: it is invalid). A row with more fields is always invalid.',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 1000, default: 20, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    {
      name: 'success',
      description:
        "The converted records (every record the reader accepted), with record.count, mime.type and record.schema (the JSON of the records' schema, when under 8 KiB).",
    },
    {
      name: 'failure',
      description:
        'Content that cannot be read as a whole (not UTF-8, not JSON, not Parquet) or records the writer cannot write; unchanged, the reason in "convert.error".',
    },
    INVALID_RELATIONSHIP,
  ],
  setup: (config, ctx): State => ({
    reader: config.reader ? ctx.services.get<RecordReader>(config.reader, RECORD_READER) : inlineReader(config),
    writer: config.writer ? ctx.services.get<RecordWriter>(config.writer, RECORD_WRITER) : inlineWriter(config),
  }),
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      let set: Awaited<ReturnType<RecordReader['read']>>;
      let content: Buffer;
      try {
        set = await state.reader.read(ff.content, ff.attributes);
      } catch (err) {
        failWith(session, ff, 'convert.error', `the content cannot be read: ${errorText(err)}`);
        continue;
      }
      try {
        content = await state.writer.write(set.records, set.schema);
      } catch (err) {
        failWith(session, ff, 'convert.error', `the records cannot be written: ${errorText(err)}`);
        continue;
      }
      transferInvalid(session, ff, set.invalid);
      const schema = JSON.stringify(set.schema);
      const out = session.putAttributes(session.write(ff, content), {
        'record.count': String(set.records.length),
        'mime.type': state.writer.mimeType,
        ...(schema.length < SCHEMA_ATTRIBUTE_LIMIT ? { 'record.schema': schema } : {}),
      });
      session.describe(out, recordCountText(set.records.length));
      session.transfer(out, 'success');
    }
  },
});
