/**
 * What the record processors (UpdateRecord, ValidateRecord, LookupRecord, SplitRecord, MergeRecord) share: the
 * reader and writer properties, reading one FlowFile's records (content unreadable as a whole → failure with
 * "record.error"), and the attributes and provenance details of a FlowFile written with the writer.
 */
import {
  type Attributes,
  type ConfigIssue,
  type FlowFile,
  failWith,
  type ProcessSession,
  RECORD_READER,
  RECORD_WRITER,
  type RecordObject,
  type RecordReader,
  type RecordSchema,
  type RecordSet,
  type RecordWriter,
  recordCountText,
  serviceReference,
} from '../sdk';

/** The attribute a FlowFile sent to failure carries its reason in. */
export const RECORD_ERROR = 'record.error';

export const readerProperty = serviceReference(
  RECORD_READER,
  'The record reader service that parses the content (CSVReader, JsonRecordReader, ...).',
);
export const writerProperty = serviceReference(
  RECORD_WRITER,
  'The record writer service that writes the outgoing records (CSVRecordSetWriter, JsonRecordSetWriter, ...).',
);

export const FAILURE_RELATIONSHIP = {
  name: 'failure',
  description: `Content the reader cannot read as a whole (not UTF-8, not the format), or the writer refused; the reason is in "${RECORD_ERROR}".`,
} as const;

/** A batchSize property: FlowFiles per session (record FlowFiles are large, so the default is small). */
export const recordBatchSize = {
  type: 'integer',
  minimum: 1,
  maximum: 1000,
  default: 10,
  description: 'FlowFiles per session.',
} as const;

/** Issues for the reader / writer references a record processor needs and its config lacks. */
export function missingServiceIssues(
  config: { reader?: unknown; writer?: unknown },
  needs: readonly ('reader' | 'writer')[] = ['reader', 'writer'],
): ConfigIssue[] {
  return needs
    .filter((name) => config[name] === undefined)
    .map((name) => ({
      path: `/${name}`,
      message: `name the record ${name} service: {"service": "<id>"} (a ${name === 'reader' ? 'CSVReader, JsonRecordReader' : 'CSVRecordSetWriter, JsonRecordSetWriter'}, ...)`,
    }));
}

/** The records of `ff`, or undefined after routing it to failure because the reader threw. */
export async function readRecords(
  session: ProcessSession,
  ff: FlowFile,
  reader: RecordReader,
): Promise<RecordSet | undefined> {
  try {
    return await reader.read(ff.content, ff.attributes);
  } catch (err) {
    failWith(session, ff, RECORD_ERROR, err);
    return undefined;
  }
}

/** The attributes of a FlowFile holding `count` records written by `writer`. */
export function recordAttributes(writer: RecordWriter, count: number, extra: Attributes = {}): Attributes {
  return { 'record.count': String(count), 'mime.type': writer.mimeType, ...extra };
}

/** Records as the writer wrote them: write every output first, so a writer error leaves nothing half-made. */
export interface WrittenRecords {
  content: Buffer;
  count: number;
}

export async function writeRecords(
  writer: RecordWriter,
  records: readonly RecordObject[],
  schema: RecordSchema,
): Promise<WrittenRecords> {
  return { content: await writer.write(records, schema), count: records.length };
}

/** `ff` with `written` as its content, record.count, mime.type and `extra`, described for provenance. */
export function rewriteRecords(
  session: ProcessSession,
  ff: FlowFile,
  writer: RecordWriter,
  written: WrittenRecords,
  extra: Attributes = {},
): FlowFile {
  const out = session.putAttributes(session.write(ff, written.content), recordAttributes(writer, written.count, extra));
  session.describe(out, recordCountText(written.count));
  return out;
}

/** A new child of `parents` holding `written`, described for provenance (not yet transferred). */
export function childWithRecords(
  session: ProcessSession,
  parents: readonly FlowFile[],
  writer: RecordWriter,
  written: WrittenRecords,
  extra: Attributes = {},
): FlowFile {
  const out = session.create({
    parents,
    content: written.content,
    attributes: recordAttributes(writer, written.count, extra),
  });
  session.describe(out, recordCountText(written.count));
  return out;
}
