import type { ValidateFunction } from 'ajv';
import { defineProcessor, serviceReference, toIssues } from '../../sdk';
import { JSON_SCHEMA_REGISTRY, type JsonSchemaRegistryService } from '../../services/json-schema-registry';
import { compileSchema, schemaIssues } from '../json-schema';
import { decodeText, errorText } from '../text';

const MAX_REPORTED_ERRORS = 20;

export default defineProcessor({
  type: 'ValidateJSON',
  category: 'transform',
  description:
    'Validates JSON content against a JSON Schema (draft 2020-12, or draft-07 when its $schema says so): valid or invalid, with the errors in an attribute.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      schema: {
        type: 'object',
        default: {},
        description:
          'The JSON Schema the content must satisfy ({} accepts any JSON); or leave it out and name a schema of a registry (schemaRegistry, schemaName).',
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
      errorsAttribute: {
        type: 'string',
        minLength: 1,
        default: 'json.validation.errors',
        description: `Attribute that receives the errors of an invalid FlowFile: a JSON array of {path, message}, at most ${MAX_REPORTED_ERRORS}.`,
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'FlowFiles per session.' },
    },
  },
  relationships: [
    { name: 'valid', description: 'Content is JSON and satisfies the schema.' },
    {
      name: 'invalid',
      description:
        'Content is not JSON (empty, not UTF-8, a syntax error) or breaks the schema; see the errors attribute.',
    },
  ],
  validate(config) {
    if (config.schemaRegistry === undefined)
      return [
        ...(config.schemaName !== ''
          ? [{ path: '/schemaName', message: 'a schema name needs "schemaRegistry": the service that holds it' }]
          : []),
        ...schemaIssues(config.schema, '/schema'),
      ];
    const issues = [];
    if (config.schemaName === '')
      issues.push({ path: '/schemaName', message: 'name the schema of the registry to validate against' });
    if (Object.keys(config.schema).length > 0)
      issues.push({
        path: '/schema',
        message: 'use either an inline "schema" or "schemaRegistry" with "schemaName", not both',
      });
    return issues;
  },
  setup: (config, ctx): { check: ValidateFunction } => {
    if (config.schemaRegistry === undefined) return { check: compileSchema(config.schema) };
    const registry = ctx.services.get<JsonSchemaRegistryService>(config.schemaRegistry, JSON_SCHEMA_REGISTRY);
    const check = registry.get(config.schemaName);
    if (!check)
      throw new Error(
        `schema "${config.schemaName}" is not in the registry "${config.schemaRegistry.service}"; it has: ${registry.names().join(', ') || 'none'}`,
      );
    return { check };
  },
  async onTrigger(session, { config, state }) {
    for (const ff of await session.get(config.batchSize)) {
      let errors: { path: string; message: string }[];
      try {
        const value = JSON.parse(decodeText(ff.content, 'utf8'));
        errors = state.check(value) ? [] : toIssues(state.check.errors);
      } catch (err) {
        errors = [{ path: '', message: `content is not JSON: ${errorText(err)}` }];
      }
      if (errors.length === 0) {
        session.transfer(ff, 'valid');
        continue;
      }
      const reported = JSON.stringify(errors.slice(0, MAX_REPORTED_ERRORS));
      session.transfer(session.putAttributes(ff, { [config.errorsAttribute]: reported }), 'invalid');
    }
  },
});
