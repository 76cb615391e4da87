/**
 * ConvertRecord's inline settings (inputFormat, outputFormat, header, delimiter, quote, inferTypes,
 * relaxColumnCount), kept for existing flows, turned into the same reader and writer objects the CSVReader,
 * JsonRecordReader, CSVRecordSetWriter and JsonRecordSetWriter services hand out: one reading code for both.
 */
import type { RecordReader, RecordWriter } from '../../sdk';
import { csvRecordReader } from '../../services/csv-reader/read-csv';
import { csvRecordWriter } from '../../services/csv-writer/write-csv';
import { jsonRecordReader } from '../../services/json-record-reader/read-json';
import { jsonRecordWriter } from '../../services/json-record-writer/write-json';

export interface InlineFormat {
  inputFormat: 'csv' | 'json';
  outputFormat: 'json-array' | 'json-lines' | 'csv';
  header: boolean;
  delimiter: string;
  quote: string;
  inferTypes: boolean;
  relaxColumnCount: boolean;
}

/** inferTypes: careful inference, or every field a string; relaxColumnCount: missing fields null (extra: invalid). */
export function inlineReader(o: InlineFormat): RecordReader {
  if (o.inputFormat === 'json') return jsonRecordReader(undefined);
  return csvRecordReader({
    header: o.header,
    delimiter: o.delimiter,
    quote: o.quote,
    escape: o.quote,
    missingFields: o.relaxColumnCount ? 'null' : 'invalid',
    inferTypes: o.inferTypes,
  });
}

export function inlineWriter(o: InlineFormat): RecordWriter {
  if (o.outputFormat === 'csv') return csvRecordWriter({ header: o.header, delimiter: o.delimiter, quote: o.quote });
  return jsonRecordWriter(o.outputFormat);
}
