/** The field order a writer uses: the schema's properties, then any other fields in order of first appearance. */
import type { RecordObject, RecordSchema } from '../../sdk';

export function fieldOrder(records: readonly RecordObject[], schema: RecordSchema | undefined): string[] {
  const fields = Object.keys(schema?.properties ?? {});
  const known = new Set(fields);
  for (const record of records)
    for (const key in record)
      if (!known.has(key)) {
        known.add(key);
        fields.push(key);
      }
  return fields;
}
