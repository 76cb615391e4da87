// Writes flows/flow.schema.json from flows/flow-schema.ts: `npm run schema`.
import { writeFileSync } from 'node:fs';
import { flowSchema } from './flow-schema';

export const flowSchemaJson = `${JSON.stringify(flowSchema, null, 2)}\n`;

if (process.argv[1]?.endsWith('write-schema.ts')) {
  writeFileSync(new URL('./flow.schema.json', import.meta.url), flowSchemaJson);
}
