/**
 * Validating records against their schema with ajv (every keyword, compiled once per reader): the reason a
 * record fails, naming the field and its JSON path, and splitting records into valid and invalid.
 */
import type { ErrorObject } from 'ajv';
import { compileSchema, type InvalidRecord, type RecordObject, type RecordSchema, rawExcerpt } from '../../sdk';

/** Why a record fails the schema; undefined when it passes. */
export type RecordCheck = (record: RecordObject) => string | undefined;

/** One ajv error as text: `field "amount" (/amount): must be >= 0`. */
export function ajvReason(e: ErrorObject): string {
  if (e.instancePath === '') return `record: ${e.message ?? e.keyword}`;
  const field = e.instancePath.split('/')[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
  return `field ${JSON.stringify(field)} (${e.instancePath}): ${e.message ?? e.keyword}`;
}

/** Compiles `schema` once; the check names up to three failures. */
export function recordChecker(schema: RecordSchema): RecordCheck {
  const validate = compileSchema(schema);
  return (record) => {
    if (validate(record)) return undefined;
    const errors = validate.errors ?? [];
    const shown = errors.slice(0, 3).map(ajvReason);
    return errors.length > 3 ? `${shown.join('; ')}; and ${errors.length - 3} more` : shown.join('; ');
  };
}

/**
 * Moves the records that fail `check` from `records` to `invalid` (in place, keeping order). `where(i, record)` gives
 * the line and raw text of record i (its index before any moved), asked only for the failing ones.
 */
export function checkRecords(
  records: RecordObject[],
  check: RecordCheck,
  invalid: InvalidRecord[],
  where: (index: number, record: RecordObject) => { line: number; raw: string },
): void {
  let kept = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const reason = check(record);
    if (reason === undefined) records[kept++] = record;
    else {
      const { line, raw } = where(i, record);
      invalid.push({ line, reason, raw: rawExcerpt(raw) });
    }
  }
  records.length = kept;
}

/** Invalid records sorted by line (readers find them in several passes). */
export function byLine(invalid: InvalidRecord[]): InvalidRecord[] {
  return invalid.sort((a, b) => a.line - b.line);
}
