/**
 * Building records from CSV rows fast: one function per read, generated for the header, that makes each record
 * as an object literal (V8 gives every record one shape at once; assigning keys one by one is about twice as slow
 * for a million rows). Field names go in as JSON string literals, `__proto__` as a computed key (an own field, not
 * the prototype), so no header text can become code.
 */
import type { RecordObject } from '../../sdk';
import type { InferredColumn } from '../record-schema/infer';

/** Makes the record of one row (missing fields null; typed columns: empty → null). */
export type RecordBuilder = (row: readonly string[]) => RecordObject;

function valueCode(column: InferredColumn, c: number): string {
  const v = `row[${c}]`;
  switch (column.type) {
    case 'string':
      return `(${v} === undefined ? null : ${v})`;
    case 'boolean':
      return `(${v} === undefined || ${v} === '' ? null : ${v} === 'true')`;
    default:
      return `(${v} === undefined || ${v} === '' ? null : +${v})`;
  }
}

export function recordBuilder(names: readonly string[], columns: readonly InferredColumn[]): RecordBuilder {
  const fields = names.map((name, c) => {
    const key = JSON.stringify(name);
    return `${name === '__proto__' ? `[${key}]` : key}: ${valueCode(columns[c]!, c)}`;
  });
  return new Function('row', `return {${fields.join(', ')}};`) as RecordBuilder;
}
