/**
 * Where a record reader takes its schema from (`schemaAccess`): inferred from the content, written inline, or
 * named in a JsonSchemaRegistry. The config properties every reader shares, their checks (a missing piece is an
 * issue at its JSON path) and the resolution when the reader is enabled.
 */
import {
  type ConfigIssue,
  type RecordSchema,
  type ServiceLookup,
  type ServiceReference,
  schemaIssues,
  serviceReference,
} from '../../sdk';
import { JSON_SCHEMA_REGISTRY, type JsonSchemaRegistryService } from '../json-schema-registry';

/** The config properties of every record reader. */
export const schemaAccessProperties = {
  schemaAccess: {
    enum: ['infer', 'inline', 'registry'],
    default: 'infer',
    description:
      'Where the record schema comes from: infer (from the content), inline ("schema"), or registry ("schemaRegistry" + "schemaName"). With a schema, values are converted to its types and each record is validated against it; a record that fails goes to invalid.',
  },
  schema: {
    type: 'object',
    description:
      'The record schema for schemaAccess "inline": a JSON Schema of one record, {"type": "object", "properties": {...}} with the properties in field order.',
  },
  schemaRegistry: serviceReference(
    JSON_SCHEMA_REGISTRY,
    'The JsonSchemaRegistry holding the record schema, for schemaAccess "registry".',
  ),
  schemaName: { type: 'string', minLength: 1, description: 'The name of the record schema in schemaRegistry.' },
} as const;

export interface SchemaAccessConfig {
  schemaAccess?: 'infer' | 'inline' | 'registry';
  schema?: object;
  schemaRegistry?: ServiceReference;
  schemaName?: string;
}

/** Why `schema` is not a record schema (an object schema with properties); undefined when it is. */
export function recordSchemaProblem(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return 'must be a JSON Schema object';
  const s = schema as { type?: unknown; properties?: unknown };
  if (s.type !== 'object') return 'a record schema needs "type": "object"';
  if (s.properties === null || typeof s.properties !== 'object' || Array.isArray(s.properties))
    return 'a record schema needs "properties": {field: {"type": ...}, ...} (in field order)';
  return undefined;
}

/** The config issues of a reader's schema access: what the chosen access needs, at its path. */
export function schemaAccessIssues(config: SchemaAccessConfig): ConfigIssue[] {
  const access = config.schemaAccess ?? 'infer';
  if (access === 'inline') {
    if (config.schema === undefined)
      return [{ path: '/schema', message: 'schemaAccess "inline" needs "schema": the record schema' }];
    const problem = recordSchemaProblem(config.schema);
    return problem ? [{ path: '/schema', message: problem }] : schemaIssues(config.schema, '/schema');
  }
  if (access === 'registry') {
    const issues: ConfigIssue[] = [];
    if (config.schemaRegistry === undefined)
      issues.push({
        path: '/schemaRegistry',
        message: 'schemaAccess "registry" needs "schemaRegistry": the JsonSchemaRegistry service that holds the schema',
      });
    if (config.schemaName === undefined)
      issues.push({ path: '/schemaName', message: 'schemaAccess "registry" needs "schemaName"' });
    return issues;
  }
  return [];
}

/** The configured record schema (inline or from the registry); undefined for "infer". Throws a clear error. */
export function resolveSchema(config: SchemaAccessConfig, services: ServiceLookup): RecordSchema | undefined {
  const access = config.schemaAccess ?? 'infer';
  if (access === 'infer') return undefined;
  if (access === 'inline') return config.schema as RecordSchema;
  const ref = config.schemaRegistry!;
  const registry = services.get<JsonSchemaRegistryService>(ref, JSON_SCHEMA_REGISTRY);
  const schema = registry.schema(config.schemaName!);
  if (schema === undefined)
    throw new Error(
      `schema "${config.schemaName}" is not in the registry "${ref.service}"; it has: ${registry.names().join(', ') || 'none'}`,
    );
  const problem = recordSchemaProblem(schema);
  if (problem) throw new Error(`schema "${config.schemaName}" of registry "${ref.service}": ${problem}`);
  return schema as RecordSchema;
}
