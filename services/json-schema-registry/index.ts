/**
 * JsonSchemaRegistry: named JSON Schemas, compiled once when the service is enabled and shared by every
 * processor that references it (ValidateJSON's `schemaRegistry`; the record processors later).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { pointer } from '../../processors/expressions';
import { checkAllowedDirectory, confinedDirectory, realRoots } from '../../processors/file-access';
import { compileSchema, schemaIssues } from '../../processors/json-schema';
import { errorText } from '../../processors/text';
import { defineService } from '../../sdk';

/** The kind a processor property asks for: `serviceReference(JSON_SCHEMA_REGISTRY, ...)`. */
export const JSON_SCHEMA_REGISTRY = 'json-schema-registry';

/** What an enabled JsonSchemaRegistry hands to the processors that reference it. */
export interface JsonSchemaRegistryService {
  /** The compiled schema of that name; undefined when the registry has none. */
  get(name: string): ValidateFunction | undefined;
  /** Every schema name, sorted. */
  names(): string[];
  /** The schema object of that name, as written (record readers take field order and types from it). */
  schema(name: string): object | undefined;
}

/** Schema names: what a file name may be too. */
const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$';
const NAME = new RegExp(NAME_PATTERN);

/** The schemas of `dir`: every `<name>.json` file directly in it, parsed (not compiled). */
async function schemaFiles(dir: string, allowedDirs: readonly string[]): Promise<Map<string, object>> {
  const real = await confinedDirectory(dir, await realRoots(allowedDirs), false);
  const out = new Map<string, object>();
  for (const entry of await readdir(real, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const name = entry.name.slice(0, -'.json'.length);
    if (!NAME.test(name)) continue;
    const file = path.join(real, entry.name);
    let schema: unknown;
    try {
      schema = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`schema file ${file}: ${errorText(err)}`);
    }
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
      throw new Error(`schema file ${file}: a JSON Schema must be an object`);
    out.set(name, schema);
  }
  return out;
}

export default defineService({
  type: 'JsonSchemaRegistry',
  description:
    'Named JSON Schemas (inline, and/or one file per schema in a directory), compiled once when enabled and shared by the processors that reference it (ValidateJSON).',
  provides: [JSON_SCHEMA_REGISTRY],
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      schemas: {
        type: 'object',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: { type: 'object' },
        default: {},
        description:
          'Schema name → JSON Schema (draft 2020-12, or draft-07 when its $schema says so). Names: letters, digits, ".", "_", "-".',
      },
      directory: {
        type: 'string',
        default: '',
        description:
          'A directory whose `<name>.json` files are schemas too, read and compiled when the service is enabled ("" = none). A name may not be both inline and a file.',
      },
    },
  },
  validate: (config, { allowedDirs }) => [
    ...Object.entries(config.schemas).flatMap(([name, schema]) =>
      schemaIssues(schema as object, `/schemas/${pointer(name)}`),
    ),
    ...(config.directory ? checkAllowedDirectory(config.directory, '/directory', allowedDirs) : []),
  ],
  async enable(config, ctx): Promise<JsonSchemaRegistryService> {
    const compiled = new Map<string, ValidateFunction>();
    const sources = new Map<string, object>();
    for (const [name, schema] of Object.entries(config.schemas)) {
      compiled.set(name, compileSchema(schema as object));
      sources.set(name, schema as object);
    }
    if (config.directory)
      for (const [name, schema] of await schemaFiles(config.directory, ctx.allowedDirs)) {
        if (compiled.has(name))
          throw new Error(`schema "${name}" is defined inline and as ${name}.json in ${config.directory}; keep one`);
        sources.set(name, schema);
        try {
          compiled.set(name, compileSchema(schema));
        } catch (err) {
          throw new Error(`schema file ${name}.json: invalid JSON Schema: ${errorText(err)}`);
        }
      }
    const names = [...compiled.keys()].sort();
    ctx.logger.info({ service: ctx.serviceId, schemas: names.length }, 'JSON schemas compiled');
    return { get: (name) => compiled.get(name), names: () => names, schema: (name) => sources.get(name) };
  },
});
