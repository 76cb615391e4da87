/**
 * ValidateRecord: checks every record against a JSON Schema (inline, from a JsonSchemaRegistry, or the reader's
 * own schema) and splits a FlowFile into its valid records and its invalid ones, both written with the writer;
 * each invalid record carries its errors in a field, the FlowFile the first one in `validation.first.error`.
 */
import type { ValidateFunction } from 'ajv';
import {
  type Attributes,
  compileSchema,
  defineProcessor,
  failWith,
  INVALID_RELATIONSHIP,
  RECORD_READER,
  RECORD_WRITER,
  type RecordObject,
  type RecordReader,
  type RecordSchema,
  type RecordWriter,
  serviceReference,
  toIssues,
  transferInvalid,
} from '../../sdk';
import { JSON_SCHEMA_REGISTRY, type JsonSchemaRegistryService } from '../../services/json-schema-registry';
import { schemaIssues } from '../json-schema';
import { schemaWithFields } from '../record-fields';
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

/** Most errors reported for one record with allErrors. */
const MAX_RECORD_ERRORS = 20;
/** Distinct reader schemas kept compiled (schemaless config: each inferred schema is compiled once). */
const MAX_CACHED_SCHEMAS = 50;

interface ValidateState {
  reader: RecordReader;
  writer: RecordWriter;
  /** The configured schema; undefined: each FlowFile's reader schema. */
  fixed: ValidateFunction | undefined;
  cache: Map<string, ValidateFunction>;
}

function checkFor(state: ValidateState, schema: RecordSchema): ValidateFunction {
  if (state.fixed) return state.fixed;
  const key = JSON.stringify(schema);
  let check = state.cache.get(key);
  if (!check) {
    if (state.cache.size >= MAX_CACHED_SCHEMAS) state.cache.delete(state.cache.keys().next().value!);
    check = compileSchema(schema);
    state.cache.set(key, check);
  }
  return check;
}

/** The errors of a failing record as text: `/amount: must be >= 0; /id: must be string`. */
function errorsOf(check: ValidateFunction, allErrors: boolean): string {
  const issues = toIssues(check.errors).slice(0, allErrors ? MAX_RECORD_ERRORS : 1);
  return issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ');
}

export default defineProcessor({
  type: 'ValidateRecord',
  category: 'transform',
  description:
    "Validates every record against a JSON Schema (inline, from a JsonSchemaRegistry, or the reader's schema): the valid records go on as one FlowFile, the invalid ones as another, written with the writer and carrying their errors.",
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      reader: readerProperty,
      writer: writerProperty,
      schema: {
        type: 'object',
        default: {},
        description:
          'The JSON Schema of one record; {} (and no schemaRegistry) validates against the schema the reader gives (its configured or inferred one).',
      },
      schemaRegistry: serviceReference(
        JSON_SCHEMA_REGISTRY,
        'A JsonSchemaRegistry service holding the schema, instead of an inline "schema".',
      ),
      schemaName: {
        type: 'string',
        default: '',
        description: 'The name of the schema in schemaRegistry (required with it).',
      },
      allErrors: {
        type: 'boolean',
        default: false,
        description: `Report every error of an invalid record (at most ${MAX_RECORD_ERRORS}, each with its instance path), not only the first.`,
      },
      errorsField: {
        type: 'string',
        default: 'validation_errors',
        description:
          'The field added to each invalid record with its errors as text ("/amount: must be >= 0"); "" adds none.',
      },
      batchSize: recordBatchSize,
    },
  },
  relationships: [
    {
      name: 'valid',
      description:
        'The records that satisfy the schema, as one FlowFile written with the writer; record.count, mime.type.',
    },
    {
      ...INVALID_RELATIONSHIP,
      description:
        'The records that break the schema, as one FlowFile written with the writer, each with its errors in errorsField; validation.first.error names the first ("record 3: /amount: must be >= 0"), record.count. The records the reader refused come as another FlowFile: JSON lines of {"line", "reason", "raw"}, invalid.first.line.',
    },
    FAILURE_RELATIONSHIP,
  ],
  validate(config) {
    const issues = missingServiceIssues(config);
    if (config.schemaRegistry === undefined) {
      if (config.schemaName !== '')
        issues.push({
          path: '/schemaName',
          message: 'a schema name needs "schemaRegistry": the service that holds it',
        });
      return [...issues, ...schemaIssues(config.schema, '/schema')];
    }
    if (config.schemaName === '')
      issues.push({ path: '/schemaName', message: 'name the schema of the registry to validate against' });
    if (Object.keys(config.schema).length > 0)
      issues.push({
        path: '/schema',
        message: 'use either an inline "schema" or "schemaRegistry" with "schemaName", not both',
      });
    return issues;
  },
  setup: (config, ctx): ValidateState => {
    let fixed: ValidateFunction | undefined;
    if (config.schemaRegistry !== undefined) {
      const registry = ctx.services.get<JsonSchemaRegistryService>(config.schemaRegistry, JSON_SCHEMA_REGISTRY);
      fixed = registry.get(config.schemaName);
      if (!fixed)
        throw new Error(
          `schema "${config.schemaName}" is not in the registry "${config.schemaRegistry.service}"; it has: ${registry.names().join(', ') || 'none'}`,
        );
    } else if (Object.keys(config.schema).length > 0) fixed = compileSchema(config.schema);
    return {
      reader: ctx.services.get<RecordReader>(config.reader!, RECORD_READER),
      writer: ctx.services.get<RecordWriter>(config.writer!, RECORD_WRITER),
      fixed,
      cache: new Map(),
    };
  },
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      const set = await readRecords(session, ff, state.reader);
      if (!set) continue;
      const valid: RecordObject[] = [];
      const invalid: RecordObject[] = [];
      let firstError: string | undefined;
      let written: { valid: WrittenRecords; invalid: WrittenRecords };
      try {
        const check = checkFor(state, set.schema);
        const passes = (record: RecordObject): boolean => check(record);
        set.records.forEach((record, i) => {
          if (passes(record)) {
            valid.push(record);
            return;
          }
          const errors = errorsOf(check, config.allErrors);
          firstError ??= `record ${i + 1}: ${errors}`;
          invalid.push(config.errorsField === '' ? record : { ...record, [config.errorsField]: errors });
        });
        const invalidSchema = config.errorsField
          ? schemaWithFields(set.schema, invalid, [config.errorsField])
          : set.schema;
        written = {
          valid: await writeRecords(state.writer, valid, set.schema),
          invalid: await writeRecords(state.writer, invalid, invalidSchema),
        };
      } catch (err) {
        failWith(session, ff, RECORD_ERROR, err);
        continue;
      }
      transferInvalid(session, ff, set.invalid);
      const invalidAttributes: Attributes = firstError ? { 'validation.first.error': firstError.slice(0, 500) } : {};
      // The input carries the valid records (all of them, or none when every record failed), a child the rest.
      if (valid.length > 0 || invalid.length === 0) {
        if (invalid.length > 0)
          session.transfer(
            childWithRecords(session, [ff], state.writer, written.invalid, invalidAttributes),
            'invalid',
          );
        session.transfer(rewriteRecords(session, ff, state.writer, written.valid), 'valid');
      } else session.transfer(rewriteRecords(session, ff, state.writer, written.invalid, invalidAttributes), 'invalid');
    }
  },
});
