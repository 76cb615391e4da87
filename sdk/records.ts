/**
 * Records: the contract between record readers and writers (controller services) and the record processors
 * (ConvertRecord, QueryRecord, PartitionRecord, UpdateRecord, ValidateRecord, LookupRecord, SplitRecord,
 * MergeRecord). A FlowFile holds many records; a reader turns its content into records and a schema, a writer
 * turns records back into content. Processors never parse formats themselves: they reference a reader and a
 * writer by id (`"reader": {"service": "csv"}`), as NiFi's record processors do.
 *
 * Invalid records are records, not files: a reader never throws for one bad row. It returns the row in
 * `invalid` with its line number and reason, the valid records go on, and the processor sends the invalid ones
 * to its `invalid` relationship as one FlowFile (JSON lines, `transferInvalid`). A reader throws only when the
 * content as a whole is unreadable (not UTF-8, not Parquet); the processor then routes the FlowFile to failure.
 */
import type { ProcessSession } from '../server/engine/contract';
import type { Attributes, FlowFile } from '../server/engine/flowfile';

/** The service kinds record processors reference. */
export const RECORD_READER = 'record-reader';
export const RECORD_WRITER = 'record-writer';
export const LOOKUP_SERVICE = 'lookup-service';

/** One record: field name → value (string, number, boolean, null, or nested objects and arrays). */
export type RecordObject = Record<string, unknown>;

/** A field's type in a record schema (JSON Schema's types; "integer" is a whole number). */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/**
 * A record schema is a JSON Schema of one record: `{"type": "object", "properties": {...}, "required": [...]}`.
 * The order of `properties` is the order of the fields (a CSV writer's columns, a Parquet file's columns). A
 * property's `type` is one FieldType or a list with "null" (nullable). Other JSON Schema keywords (pattern,
 * minimum, enum, ...) are kept: readers and ValidateRecord check records against the whole schema.
 */
export interface RecordSchema {
  type: 'object';
  properties: Record<string, { type?: FieldType | FieldType[]; [keyword: string]: unknown }>;
  required?: string[];
  [keyword: string]: unknown;
}

/** A record a reader could not read or that its schema refused: where it was and why. */
export interface InvalidRecord {
  /** 1-based line of the content where the record starts (CSV, JSON lines, JSON array); row number for Parquet. */
  line: number;
  /** Why, naming the field where one is to blame: `field "amount": "12,5" is not a number`. */
  reason: string;
  /** The record as it was in the content (the CSV row, the JSON text), at most 4 KiB of it. */
  raw: string;
}

/** What a reader makes of one FlowFile's content. */
export interface RecordSet {
  /** The schema the records follow: the configured one, or the one inferred from the content. */
  schema: RecordSchema;
  records: RecordObject[];
  invalid: InvalidRecord[];
}

/** An enabled record reader service (kind `record-reader`): CSVReader, JsonRecordReader, ParquetReader. */
export interface RecordReader {
  /** Reads all records of `content`; throws only when the content as a whole cannot be read. */
  read(content: Buffer, attributes: Attributes): Promise<RecordSet>;
}

/** An enabled record writer service (kind `record-writer`): CSVRecordSetWriter, JsonRecordSetWriter, ... */
export interface RecordWriter {
  /** The mime.type of what it writes. */
  readonly mimeType: string;
  /** Writes `records` in the writer's format; `schema` gives the field order and types. */
  write(records: readonly RecordObject[], schema: RecordSchema): Promise<Buffer>;
}

/** An enabled lookup service (kind `lookup-service`): a key → record map, from a file or the config. */
export interface LookupService {
  /** The record for `key`, or undefined. A file-backed service reloads when the file changed. */
  lookup(key: string): Promise<RecordObject | undefined>;
}

/** The relationship every record processor has for the records its reader refused. */
export const INVALID_RELATIONSHIP = {
  name: 'invalid',
  description:
    'The records that could not be read or did not match the schema, as one FlowFile per input: JSON lines of {"line", "reason", "raw"}, with record.count.',
} as const;

const RAW_LIMIT = 4096;

/** `raw` cut to what an InvalidRecord keeps. */
export function rawExcerpt(raw: string): string {
  return raw.length > RAW_LIMIT ? `${raw.slice(0, RAW_LIMIT)}…` : raw;
}

/**
 * Sends the invalid records of `parent` to `relationship` (default "invalid") as one new FlowFile, a child of
 * `parent`: JSON lines of {line, reason, raw}, `record.count` = how many, `invalid.first.line` and
 * `invalid.first.reason`. Nothing is sent when `invalid` is empty.
 */
export function transferInvalid(
  session: ProcessSession,
  parent: FlowFile,
  invalid: readonly InvalidRecord[],
  relationship = INVALID_RELATIONSHIP.name,
): void {
  if (invalid.length === 0) return;
  const content = invalid.map((r) => `${JSON.stringify({ line: r.line, reason: r.reason, raw: r.raw })}\n`).join('');
  const first = invalid[0]!;
  const out = session.create({
    parents: [parent],
    content,
    attributes: {
      'record.count': String(invalid.length),
      'mime.type': 'application/x-ndjson',
      'invalid.first.line': String(first.line),
      'invalid.first.reason': first.reason.slice(0, 500),
    },
  });
  session.describe(out, `${invalid.length} invalid record${invalid.length === 1 ? '' : 's'}`);
  session.transfer(out, relationship);
}

/** "1,234 records" for provenance details. */
export function recordCountText(count: number): string {
  return `${count.toLocaleString('en-US')} record${count === 1 ? '' : 's'}`;
}
