/** Every built-in controller service type (see server/services/service-contract.ts), in palette order. */
import type { ServiceDefinition } from '../sdk';
import { brokerServices } from './broker-services';
import CSVReader from './csv-reader';
import CSVRecordSetWriter from './csv-writer';
import HttpClient from './http-client';
import JsonRecordReader from './json-record-reader';
import JsonRecordSetWriter from './json-record-writer';
import JsonSchemaRegistry from './json-schema-registry';
import FileLookupService from './lookup-file';
import KeyValueLookupService from './lookup-map';
import ParquetReader from './parquet-reader';
import ParquetRecordSetWriter from './parquet-writer';

export const builtinServices: ServiceDefinition[] = [
  ...brokerServices,
  HttpClient,
  JsonSchemaRegistry,
  JsonRecordReader,
  JsonRecordSetWriter,
  CSVReader,
  CSVRecordSetWriter,
  ParquetReader,
  ParquetRecordSetWriter,
  FileLookupService,
  KeyValueLookupService,
];
