/**
 * Test helpers of the record processors (UpdateRecord, ValidateRecord, LookupRecord, SplitRecord, MergeRecord):
 * a runner wired to real reader and writer services (JsonRecordReader / JsonRecordSetWriter unless given others),
 * and the records of an output FlowFile.
 */
import type { FlowFile, ProcessorDefinition, ServiceDefinition } from '../sdk';
import { type ProcessorRunner, processorRunner } from '../sdk/testing';
import { enableService } from '../services/broker-test-kit';
import CSVReader from '../services/csv-reader';
import CSVRecordSetWriter from '../services/csv-writer';
import JsonRecordReader from '../services/json-record-reader';
import JsonRecordSetWriter from '../services/json-record-writer';

export interface RecordRunnerOptions {
  reader?: { definition: ServiceDefinition; config?: object };
  writer?: { definition: ServiceDefinition; config?: object };
  /** Further enabled service instances by id. */
  services?: Record<string, unknown>;
}

/** CSV in and out (CSVReader with its defaults: header, inferred types; CSVRecordSetWriter with a header). */
export const CSV_IO: RecordRunnerOptions = {
  reader: { definition: CSVReader },
  writer: { definition: CSVRecordSetWriter },
};

/** A processorRunner for `definition` with `config` plus reader and writer references to enabled services. */
export async function recordRunner<C, S>(
  definition: ProcessorDefinition<C, S>,
  config: object,
  options: RecordRunnerOptions = {},
): Promise<ProcessorRunner<C, S>> {
  const reader = await enableService(
    options.reader?.definition ?? JsonRecordReader,
    options.reader?.config ?? {},
    'reader',
  );
  const writer = await enableService(
    options.writer?.definition ?? JsonRecordSetWriter,
    options.writer?.config ?? {},
    'writer',
  );
  return processorRunner(
    definition,
    { reader: { service: 'reader' }, writer: { service: 'writer' }, ...config },
    { services: { reader: reader.instance, writer: writer.instance, ...options.services } },
  );
}

/** The records of a FlowFile written as JSON lines. */
export function jsonLines(ff: FlowFile | undefined): unknown[] {
  if (!ff) throw new Error('no FlowFile');
  return ff.content
    .toString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

/** JSON lines text of records. */
export function toJsonLines(records: readonly object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
