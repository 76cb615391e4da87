/**
 * LookupRecord: enriches every record with the record a lookup service holds for its key field, and splits the
 * FlowFile into the records whose key was found (matched) and the others (unmatched), as NiFi's routing does.
 */
import {
  defineProcessor,
  errorText,
  failWith,
  INVALID_RELATIONSHIP,
  type InvalidRecord,
  LOOKUP_SERVICE,
  type LookupService,
  RECORD_READER,
  RECORD_WRITER,
  type RecordObject,
  type RecordReader,
  type RecordWriter,
  rawExcerpt,
  serviceReference,
  transferInvalid,
} from '../../sdk';
import { fieldPath, getField, schemaWithFields, setField } from '../record-fields';
import {
  childWithRecords,
  FAILURE_RELATIONSHIP,
  missingServiceIssues,
  RECORD_ERROR,
  readerProperty,
  readRecords,
  recordBatchSize,
  rewriteRecords,
  type WrittenRecords,
  writeRecords,
  writerProperty,
} from '../record-flowfiles';

interface LookupState {
  reader: RecordReader;
  writer: RecordWriter;
  lookup: LookupService;
  key: string[];
  result: string[];
}

/** The key of a record as the lookup service takes it; undefined when the record has none; throws for objects. */
function keyOf(record: RecordObject, path: readonly string[], field: string): string | undefined {
  const value = getField(record, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object')
    throw new Error(`key field "${field}" is ${Array.isArray(value) ? 'an array' : 'an object'}, not a value`);
  return String(value);
}

export default defineProcessor({
  type: 'LookupRecord',
  category: 'transform',
  description:
    "Looks up each record's key field in a lookup service (a file, a key-value map) and merges the found record into it or puts it in a field; matched and unmatched records go on as one FlowFile each.",
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: readerProperty,
      writer: writerProperty,
      lookup: serviceReference(LOOKUP_SERVICE, 'The lookup service (FileLookupService, KeyValueLookupService).'),
      keyField: {
        type: 'string',
        default: '',
        description: 'The field path of the key in each record ("customer_id", "order.customer"); required.',
      },
      resultMode: {
        enum: ['merge', 'field'],
        default: 'merge',
        description:
          "merge: the found record's fields are set on the record (overwriting); field: the found record goes in resultField.",
      },
      resultField: {
        type: 'string',
        default: 'lookup',
        description: 'resultMode "field": the field path that receives the found record.',
      },
      batchSize: recordBatchSize,
    },
  },
  relationships: [
    {
      name: 'matched',
      description:
        'The records whose key was found, enriched, as one FlowFile written with the writer; record.count, mime.type. A FlowFile without records goes here.',
    },
    {
      name: 'unmatched',
      description: 'The records whose key was not found or that have no key, unchanged, as one FlowFile.',
    },
    {
      ...INVALID_RELATIONSHIP,
      description: `${INVALID_RELATIONSHIP.description} Also records whose key field is an object or array (line: the record's position, reason "record N: ...").`,
    },
    FAILURE_RELATIONSHIP,
  ],
  validate(config) {
    const issues = missingServiceIssues(config);
    if (config.lookup === undefined)
      issues.push({ path: '/lookup', message: 'name the lookup service: {"service": "<id>"}' });
    if (config.keyField === '' || fieldPath(config.keyField).includes(''))
      issues.push({
        path: '/keyField',
        message: 'name the key field: a field path such as "customer_id" or "order.customer"',
      });
    if (config.resultMode === 'field' && (config.resultField === '' || fieldPath(config.resultField).includes('')))
      issues.push({
        path: '/resultField',
        message: 'resultMode "field" needs a field path to put the found record in',
      });
    return issues;
  },
  setup: (config, ctx): LookupState => ({
    reader: ctx.services.get<RecordReader>(config.reader!, RECORD_READER),
    writer: ctx.services.get<RecordWriter>(config.writer!, RECORD_WRITER),
    lookup: ctx.services.get<LookupService>(config.lookup!, LOOKUP_SERVICE),
    key: fieldPath(config.keyField),
    result: fieldPath(config.resultField),
  }),
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      const set = await readRecords(session, ff, state.reader);
      if (!set) continue;
      const matched: RecordObject[] = [];
      const unmatched: RecordObject[] = [];
      const invalid: InvalidRecord[] = [...set.invalid];
      const added = new Set<string>();
      let written: { matched: WrittenRecords; unmatched: WrittenRecords };
      try {
        // One lookup per distinct key of this FlowFile.
        const found = new Map<string, Promise<RecordObject | undefined>>();
        for (let i = 0; i < set.records.length; i++) {
          const record = set.records[i]!;
          let key: string | undefined;
          try {
            key = keyOf(record, state.key, config.keyField);
          } catch (err) {
            invalid.push({
              line: i + 1,
              reason: `record ${i + 1}: ${errorText(err)}`,
              raw: rawExcerpt(JSON.stringify(record)),
            });
            continue;
          }
          if (key === undefined) {
            unmatched.push(record);
            continue;
          }
          let pending = found.get(key);
          if (!pending) {
            pending = state.lookup.lookup(key);
            found.set(key, pending);
          }
          const result = await pending;
          if (result === undefined) unmatched.push(record);
          else {
            if (config.resultMode === 'field') setField(record, state.result, result);
            else
              for (const [field, value] of Object.entries(result)) {
                record[field] = value;
                added.add(field);
              }
            matched.push(record);
          }
        }
        const fields = config.resultMode === 'field' ? [state.result[0]!] : added;
        written = {
          matched: await writeRecords(state.writer, matched, schemaWithFields(set.schema, matched, fields)),
          unmatched: await writeRecords(state.writer, unmatched, set.schema),
        };
      } catch (err) {
        failWith(session, ff, RECORD_ERROR, err);
        continue;
      }
      transferInvalid(session, ff, invalid);
      // The input carries the matched records (or the unmatched ones when none matched), a child the others.
      if (matched.length > 0 || unmatched.length === 0) {
        if (unmatched.length > 0)
          session.transfer(childWithRecords(session, [ff], state.writer, written.unmatched), 'unmatched');
        session.transfer(rewriteRecords(session, ff, state.writer, written.matched), 'matched');
      } else session.transfer(rewriteRecords(session, ff, state.writer, written.unmatched), 'unmatched');
    }
  },
});
