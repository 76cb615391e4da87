/**
 * PartitionRecord (NiFi's): groups the records of each FlowFile by the values of named field paths or JSONata
 * expressions and writes one FlowFile per distinct combination, with those values as attributes. Keys are
 * compiled in partition-keys.ts (field paths read directly, the rest JSONata).
 */
import {
  type Attributes,
  checkExpressions,
  defineProcessor,
  errorText,
  expressionLimitProperties,
  type FlowFile,
  failWith,
  INVALID_RELATIONSHIP,
  limitsOf,
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
import { pointer } from '../expressions';
import { fragmentAttributes } from '../fragments';
import { missingServiceIssues, readerProperty, writerProperty } from '../record-flowfiles';
import { compileKey, type PartitionKey } from './partition-keys';

/** Attributes PartitionRecord sets itself: a partition key may not take their names. */
const RESERVED = ['record.count', 'mime.type', 'uuid', 'fragment.identifier', 'fragment.index', 'fragment.count'];

interface Partition {
  attributes: Attributes;
  records: RecordObject[];
}

interface State {
  reader: RecordReader;
  writer: RecordWriter;
  keys: PartitionKey[];
}

export default defineProcessor({
  type: 'PartitionRecord',
  category: 'transform',
  description:
    'Groups the records of each FlowFile by the values of field paths or JSONata expressions: one FlowFile per distinct combination, each value in an attribute.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: readerProperty,
      writer: writerProperty,
      partitionBy: {
        type: 'object',
        propertyNames: { minLength: 1, not: { enum: RESERVED } },
        additionalProperties: { type: 'string', minLength: 1 },
        default: {},
        examples: [{ region: 'region', country: 'customer.country', size: "amount > 500 ? 'large' : 'small'" }],
        description:
          'Attribute name → a field path (`region`, `customer.country`, read directly) or a JSONata expression over the record. A null or missing value sets no attribute (such records still form their own partition).',
      },
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 1,
        description: 'FlowFiles per session (each is read whole: keep it small for large files).',
      },
      ...expressionLimitProperties,
    },
  },
  relationships: [
    {
      name: 'success',
      description:
        'One FlowFile per partition, in order of first appearance, with the partition attributes, record.count and fragment.identifier / fragment.index / fragment.count.',
    },
    { name: 'original', description: 'The input FlowFile, once partitioned.' },
    {
      name: 'failure',
      description:
        'The content could not be read or an expression failed (or exceeded its limits); the reason is in "partition.error".',
    },
    INVALID_RELATIONSHIP,
  ],
  validate: (config) => [
    ...missingServiceIssues(config),
    ...(Object.keys(config.partitionBy).length === 0
      ? [{ path: '/partitionBy', message: 'add at least one partition: {"<attribute>": "<field path or JSONata>"}' }]
      : []),
    ...checkExpressions(Object.entries(config.partitionBy).map(([k, v]) => [`/partitionBy/${pointer(k)}`, v])),
  ],
  setup(config, ctx): State {
    const limits = limitsOf(config);
    return {
      reader: ctx.services.get<RecordReader>(config.reader!, RECORD_READER),
      writer: ctx.services.get<RecordWriter>(config.writer!, RECORD_WRITER),
      keys: Object.entries(config.partitionBy).map(([attribute, source]) => compileKey(attribute, source, limits)),
    };
  },
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) await partitionOne(session, ff, state);
  },
});

/** The partitions of `records` in order of first appearance. */
async function partitionsOf(records: readonly RecordObject[], keys: readonly PartitionKey[]): Promise<Partition[]> {
  const byKey = new Map<string, Partition>();
  let none: Partition | undefined;
  const order: Partition[] = [];
  const values: (string | undefined)[] = new Array(keys.length);
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    for (let k = 0; k < keys.length; k++) {
      try {
        let v = keys[k]!.valueOf(record);
        if (v instanceof Promise) v = await v;
        values[k] = v;
      } catch (err) {
        throw new Error(`record ${r + 1}, partition "${keys[k]!.attribute}" (${keys[k]!.source}): ${errorText(err)}`);
      }
    }
    // One key: its value is the map key (no value: a partition of its own); several: their JSON (none is null).
    const id = keys.length === 1 ? values[0] : JSON.stringify(values);
    let partition = id === undefined ? none : byKey.get(id);
    if (!partition) {
      const attributes: Attributes = {};
      keys.forEach((key, k) => {
        if (values[k] !== undefined) attributes[key.attribute] = values[k];
      });
      partition = { attributes, records: [] };
      order.push(partition);
      if (id === undefined) none = partition;
      else byKey.set(id, partition);
    }
    partition.records.push(record);
  }
  return order;
}

async function partitionOne(session: ProcessSession, ff: FlowFile, state: State): Promise<void> {
  let set: RecordSet;
  let partitions: Partition[];
  let contents: Buffer[];
  try {
    set = await state.reader.read(ff.content, ff.attributes);
  } catch (err) {
    failWith(session, ff, 'partition.error', `the content cannot be read: ${errorText(err)}`);
    return;
  }
  try {
    partitions = await partitionsOf(set.records, state.keys);
    contents = [];
    for (const p of partitions) contents.push(await state.writer.write(p.records, set.schema));
  } catch (err) {
    failWith(session, ff, 'partition.error', errorText(err));
    return;
  }
  partitions.forEach((p, index) => {
    const child = session.create({
      parents: [ff],
      content: contents[index]!,
      attributes: {
        ...p.attributes,
        ...fragmentAttributes(ff, index, partitions.length),
        'record.count': String(p.records.length),
        'mime.type': state.writer.mimeType,
      },
    });
    session.describe(child, `partition ${index + 1} of ${partitions.length}: ${recordCountText(p.records.length)}`);
    session.transfer(child, 'success');
  });
  transferInvalid(session, ff, set.invalid);
  const original = session.putAttributes(ff, { 'record.count': String(set.records.length) });
  session.describe(original, `${recordCountText(set.records.length)} in ${partitions.length} partitions`);
  session.transfer(original, 'original');
}
