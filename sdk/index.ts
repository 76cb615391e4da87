/**
 * The Sluice processor SDK: everything a processor or a controller service may import, and nothing else. Built-in
 * processors (processors/), services (services/) and plugins build against this module only; the engine behind it
 * may change between releases, this module changes by semver (`SDK_VERSION`). Tests import the harness from
 * `sdk/testing`. sdk/boundary.test.ts fails the build when a processor or service imports past it.
 * Guide: docs/writing-processors.md.
 *
 * - Declaring a processor: `defineProcessor`, `relationshipsOf`, the session and context types; per-processor
 *   state is `ctx.getState()` / `session.setState(...)`; `ctx.mountHttp(handler)` serves on the server's port.
 * - Config formats: `duration`, `size`, `regex`, `jsonataExpression`, `secret` (+ `resolveSetting` for
 *   `${ENV}` references), `serviceReference`
 *   (`durationPattern` for a duration kept as text); units: `parseDuration`, `formatSize`, ...
 * - Controller services: `defineService`, `serviceReference`, `isServiceReference`, their types.
 * - Records (sdk/records.ts): the reader / writer / lookup service contracts, `transferInvalid` for the records a
 *   reader refused, `recordCountText`.
 * - Failure routing: `failWith(session, ff, 'x.error', err)`, `errorText(err)`.
 * - Bounded evaluation (the helpers the built-ins use): regexes on RE2 (`compileRegex`, `checkRegexes`,
 *   `regexFlagsProperty`), JSONata with time and depth limits (`compileExpression`, `checkExpressions`,
 *   `expressionLimitProperties`, `limitsOf`, `ExpressionLimitError`), users' JSON Schemas (`compileSchema`,
 *   `schemaIssues`), files confined to the allowed directories (`checkAllowedDirectory`, `confinedPath`).
 * - Checks shared with the server: `checkListenerHost` (a listener beyond loopback needs a token), `toIssues`
 *   (ajv errors as `{path, message}`), `refusedEnvironmentVariable` / `flowVisibleEnvironment` (the server's own
 *   secrets are not for flows).
 */

export { durationPattern } from '../flows/flow-schema';
export {
  ExpressionLimitError,
  type ExpressionLimits,
  expressionLimitProperties,
  limitsOf,
} from '../processors/bounded/jsonata';
export { checkRegexes, compileRegex, regexFlagsProperty } from '../processors/bounded/regex';
export { type CompiledExpression, checkExpressions, compileExpression } from '../processors/expressions';
export { checkAllowedDirectory, confinedPath } from '../processors/file-access';
export { compileSchema, schemaIssues } from '../processors/json-schema';
export { errorText } from '../processors/text';
export { duration, jsonataExpression, regex, size } from '../server/engine/config-formats';
export type {
  ConfigIssue,
  ConfigOf,
  DebugInput,
  HttpHandler,
  HttpMount,
  ProcessorCategory,
  ProcessorDefinition,
  ProcessorLogger,
  ProcessorStateValues,
  ProcessSession,
  Relationship,
  SetupContext,
  TriggerContext,
  ValidationContext,
} from '../server/engine/contract';
export { defineProcessor, relationshipsOf } from '../server/engine/contract';
export type { Attributes, FlowFile } from '../server/engine/flowfile';
export { formatDuration, formatSize, parseDuration, parseSize } from '../server/engine/units';
export { flowVisibleEnvironment, refusedEnvironmentVariable } from '../server/parameters/server-env';
export type {
  ServiceContext,
  ServiceDefinition,
  ServiceKind,
  ServiceLookup,
  ServiceReference,
} from '../server/services/service-contract';
export { defineService, isServiceReference, serviceReference } from '../server/services/service-contract';
export { toIssues } from '../server/validation/ajv';
export { checkListenerHost } from '../server/validation/listener';
export { failWith } from './failure';
export {
  type FieldType,
  INVALID_RELATIONSHIP,
  type InvalidRecord,
  LOOKUP_SERVICE,
  type LookupService,
  RECORD_READER,
  RECORD_WRITER,
  type RecordObject,
  type RecordReader,
  type RecordSchema,
  type RecordSet,
  type RecordWriter,
  rawExcerpt,
  recordCountText,
  transferInvalid,
} from './records';
export { resolveSetting, secret } from './secret';

/** The SDK's version: a plugin declares the major version it was built for; another major is refused at load. */
export const SDK_VERSION = '1.0.0';
