/**
 * UpdateRecord: sets fields of every record from JSONata expressions over the record (`total` ← `price * quantity`).
 * A record whose expression fails is an invalid record (`record N: ...`), the others go on.
 */
import {
  checkExpressions,
  defineProcessor,
  errorText,
  expressionLimitProperties,
  failWith,
  INVALID_RELATIONSHIP,
  type InvalidRecord,
  limitsOf,
  RECORD_READER,
  RECORD_WRITER,
  type RecordObject,
  type RecordReader,
  type RecordWriter,
  rawExcerpt,
  transferInvalid,
} from '../../sdk';
import { pointer } from '../expressions';
import { schemaWithFields, setField } from '../record-fields';
import {
  FAILURE_RELATIONSHIP,
  missingServiceIssues,
  RECORD_ERROR,
  readerProperty,
  readRecords,
  recordBatchSize,
  rewriteRecords,
  writeRecords,
  writerProperty,
} from '../record-flowfiles';
import { type CompiledUpdate, compileUpdates, fieldPathIssues } from './updates';

interface UpdateState {
  reader: RecordReader;
  writer: RecordWriter;
  updates: CompiledUpdate[];
  /** The top-level fields the updates set, for the schema. */
  fields: string[];
}

/**
 * Evaluates every update against the record as read, then sets them (a record whose update throws is left as
 * it was); throws naming the failing field.
 */
async function updateRecord(record: RecordObject, updates: readonly CompiledUpdate[]): Promise<void> {
  const values: unknown[] = [];
  for (const u of updates) {
    try {
      const v = u.evaluate(record);
      values.push(v instanceof Promise ? await v : v);
    } catch (err) {
      throw new Error(`update of "${u.field}": ${errorText(err)}`);
    }
  }
  updates.forEach((u, i) => {
    setField(record, u.path, values[i] === undefined ? null : values[i]);
  });
}

export default defineProcessor({
  type: 'UpdateRecord',
  category: 'transform',
  description:
    'Sets fields of every record from JSONata expressions evaluated with the record as input ({"total": "price * quantity"}); dotted paths create nested objects. A record whose expression fails goes to invalid, the others on.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: readerProperty,
      writer: writerProperty,
      updates: {
        type: 'object',
        additionalProperties: { type: 'string', minLength: 1 },
        default: {},
        description:
          'Field path → JSONata expression with the record as input, e.g. {"total": "price * quantity", "region": "$uppercase(region)", "address.city": "city"}. Every expression sees the record as read; one without a result sets null.',
      },
      ...expressionLimitProperties,
      batchSize: recordBatchSize,
    },
  },
  relationships: [
    { name: 'success', description: 'The updated records, written with the writer; record.count, mime.type.' },
    {
      ...INVALID_RELATIONSHIP,
      description: `${INVALID_RELATIONSHIP.description} Also the records an expression failed on: line is the record's position among the records read, the reason starts with "record N".`,
    },
    FAILURE_RELATIONSHIP,
  ],
  validate: (config) => [
    ...missingServiceIssues(config),
    ...fieldPathIssues(config.updates),
    ...checkExpressions(Object.entries(config.updates).map(([k, v]) => [`/updates/${pointer(k)}`, v])),
  ],
  setup: (config, ctx): UpdateState => {
    const updates = compileUpdates(config.updates, limitsOf(config));
    return {
      reader: ctx.services.get<RecordReader>(config.reader!, RECORD_READER),
      writer: ctx.services.get<RecordWriter>(config.writer!, RECORD_WRITER),
      updates,
      fields: [...new Set(updates.map((u) => u.path[0]!))],
    };
  },
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      const set = await readRecords(session, ff, state.reader);
      if (!set) continue;
      const invalid: InvalidRecord[] = [...set.invalid];
      const updated: RecordObject[] = [];
      for (let i = 0; i < set.records.length; i++) {
        const record = set.records[i]!;
        try {
          await updateRecord(record, state.updates);
          updated.push(record);
        } catch (err) {
          invalid.push({
            line: i + 1,
            reason: `record ${i + 1}: ${errorText(err)}`,
            raw: rawExcerpt(JSON.stringify(record)),
          });
        }
      }
      let written: Awaited<ReturnType<typeof writeRecords>>;
      try {
        written = await writeRecords(state.writer, updated, schemaWithFields(set.schema, updated, state.fields));
      } catch (err) {
        failWith(session, ff, RECORD_ERROR, err);
        continue;
      }
      transferInvalid(session, ff, invalid);
      session.transfer(rewriteRecords(session, ff, state.writer, written), 'success');
    }
  },
});
