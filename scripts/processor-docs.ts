/**
 * Writes docs/processors.md from the processor registry, so the reference cannot drift from the code: each
 * processor's type, category, description, input requirement, relationships and config schema (property, type,
 * default, required, allowed values, description), as the palette, the config form and the validator read them.
 *
 *   npm run docs:processors            # writes docs/processors.md
 *   npm run docs:processors -- --check # exit 1 when docs/processors.md is out of date
 *
 * test/docs/processor-docs.test.ts fails when the file differs from what this renders.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { durationPattern, sizePattern } from '../flows/flow-schema';
import { builtinProcessors } from '../processors/registry';
import type { ProcessorCategory, ProcessorDefinition } from '../server/engine/contract';
import type { ServiceDefinition } from '../server/services/service-contract';
import { builtinServices } from '../services/registry';

export const PROCESSOR_DOCS = path.resolve(import.meta.dirname, '../docs/processors.md');

/** The palette's section titles (ui/src/panels/palette.tsx), so the reference uses the words the canvas shows. */
const CATEGORY_TITLES: Record<ProcessorCategory, string> = {
  source: 'Sources',
  transform: 'Transform',
  route: 'Route',
  messaging: 'Messaging',
  stream: 'Streams',
  sink: 'Sinks',
};

const INPUT_TEXT: Record<ProcessorDefinition['input'], string> = {
  forbidden: 'Input: none (a source; no connection may lead into it)',
  required: 'Input: required (it needs an incoming connection)',
  allowed: 'Input: optional',
};

interface Schema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: { pattern?: string; not?: { enum?: readonly unknown[] } };
  anyOf?: readonly Schema[];
  examples?: readonly unknown[];
  'x-format'?: string;
  'x-service'?: string;
}

/** One row of a property table; nested object properties get dotted names (`allow.env`, `aggregations.<name>.op`). */
interface PropertyRow {
  name: string;
  schema: Schema;
  required: boolean;
}

/** Text for a Markdown table cell: no line breaks, `|` escaped (also inside code spans, as GFM tables need). */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/**
 * Prose from the registry as Markdown: `<name>` must not read as an HTML tag nor `http.*` as emphasis, so both are
 * escaped outside code spans; code spans (`allow`) are kept as they are.
 */
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*'),
    )
    .join('');
}

/** An inline code span of a JSON value; a value holding a backtick needs double backticks around it. */
function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function json(value: unknown): string {
  return code(JSON.stringify(value));
}

function range(s: Schema): string {
  const { minimum: min, maximum: max } = s;
  if (min !== undefined && max !== undefined) return `, ${min} to ${max}`;
  if (min !== undefined) return `, at least ${min}`;
  if (max !== undefined) return `, at most ${max}`;
  return '';
}

/** What a property holds, in words: "integer, 1 to 10000", "duration", "one of `a`, `b`". */
function typeOf(s: Schema): string {
  if (s['x-service']) return `service reference (${code(s['x-service'])}): \`{"service": "<id>"}\``;
  if (s.enum) return `one of ${s.enum.map((v) => json(v)).join(', ')}`;
  if (s.anyOf) return s.anyOf.map(typeOf).join(', or ');
  if (s['x-format'] === 'jsonata') return 'JSONata expression';
  if (s['x-format'] === 'javascript') return 'JavaScript';
  if (s.pattern === durationPattern || s['x-format'] === 'duration')
    return 'duration (`"500 ms"`, `"30s"`, `"5 min"`, `"2h"`, `"1 day"`)';
  if (s.pattern === sizePattern) return 'size (`"512 B"`, `"64 KB"`, `"10 MB"`, `"1 GB"`)';
  if (s['x-format'] === 'size') return 'size (`"512 B"`, `"64 KB"`, `"10 MB"`, `"1 GB"`, or a byte count)';
  if (s['x-format'] === 'regex') return 'regular expression (RE2)';
  const type = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  if (type === 'integer' || type === 'number') return `${type}${range(s)}`;
  if (type === 'string') {
    const parts = ['string'];
    if (s.minLength === 1) parts.push('not empty');
    else if (s.minLength !== undefined) parts.push(`at least ${s.minLength} characters`);
    if (s.maxLength !== undefined) parts.push(`at most ${s.maxLength} characters`);
    if (s.pattern) parts.push(`matching ${code(s.pattern)}`);
    return parts.join(', ');
  }
  if (type === 'array') {
    const items = s.items ? typeOf(s.items) : 'any';
    return `list of ${items}${s.minItems ? `, at least ${s.minItems}` : ''}`;
  }
  if (type === 'object' && typeof s.additionalProperties === 'object') {
    const names: string[] = [];
    if (s.propertyNames?.pattern) names.push(`matching ${code(s.propertyNames.pattern)}`);
    const reserved = s.propertyNames?.not?.enum;
    if (reserved) names.push(`not ${reserved.map((v) => code(v)).join(' or ')}`);
    const value = s.additionalProperties.properties ? 'object (below)' : typeOf(s.additionalProperties);
    return `map of name${names.length > 0 ? ` (${names.join(', ')})` : ''} → ${value}`;
  }
  if (type === 'object' && s.properties) return 'object (below)';
  if (type === 'object') return 'object';
  return type;
}

/** Every property, nested objects flattened into dotted rows after their parent. */
function propertyRows(schema: Schema, prefix = ''): PropertyRow[] {
  const rows: PropertyRow[] = [];
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const full = `${prefix}${name}`;
    rows.push({ name: full, schema: s, required: schema.required?.includes(name) ?? false });
    if (s['x-service']) continue; // one row: the reference
    if (s.properties) rows.push(...propertyRows(s, `${full}.`));
    if (typeof s.additionalProperties === 'object' && s.additionalProperties.properties)
      rows.push(...propertyRows(s.additionalProperties, `${full}.<name>.`));
  }
  return rows;
}

function describeProperty(s: Schema): string {
  const parts = [prose(s.description ?? '')];
  if (s.examples && s.examples.length > 0) parts.push(`Examples: ${s.examples.map((v) => json(v)).join(', ')}.`);
  return parts.filter(Boolean).join(' ');
}

function propertyTable(def: { config: object }): string[] {
  const rows = propertyRows(def.config as Schema);
  if (rows.length === 0) return ['No settings.'];
  return [
    '| property | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => {
      const name = `${code(r.name)}${r.required ? ' (required)' : ''}`;
      const fallback = r.schema.default === undefined ? '' : json(r.schema.default);
      return `| ${cell(name)} | ${cell(typeOf(r.schema))} | ${cell(fallback)} | ${cell(describeProperty(r.schema))} |`;
    }),
  ];
}

/**
 * Where a router's own relationships come from (RouteOnAttribute's `routes`, RouteOnContent's `rules`): found by
 * asking `dynamicRelationships` itself, with one probe entry `<name>: <value>` per map property of the config.
 */
function dynamicSource(def: ProcessorDefinition): { property: string; description: string } | undefined {
  if (!def.dynamicRelationships) return undefined;
  const properties = (def.config as Schema).properties ?? {};
  const defaults = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, structuredClone(s.default)]));
  for (const [property, s] of Object.entries(properties)) {
    if (s.type !== 'object' || typeof s.additionalProperties !== 'object') continue;
    try {
      const probe = def.dynamicRelationships({ ...defaults, [property]: { '<name>': '<value>' } });
      const found = probe.find((r) => r.name === '<name>');
      if (found) return { property, description: found.description };
    } catch {
      // Not this property: the probe is not a config the function can read.
    }
  }
  return undefined;
}

function relationshipTable(def: ProcessorDefinition): string[] {
  const rows: string[] = [];
  if (def.dynamicRelationships) {
    const source = dynamicSource(def);
    rows.push(
      source
        ? `| ${code('<name>')}: one per entry of ${code(source.property)} | ${cell(prose(source.description))} |`
        : '| one per configured route | named in the config |',
    );
  }
  for (const r of def.relationships) rows.push(`| ${cell(code(r.name))} | ${cell(prose(r.description))} |`);
  return ['| relationship | description |', '| --- | --- |', ...rows];
}

function relationshipList(def: ProcessorDefinition): string {
  const names = def.relationships.map((r) => code(r.name));
  if (def.dynamicRelationships) {
    const source = dynamicSource(def);
    names.unshift(source ? `one per ${code(source.property)} entry` : 'one per configured route');
  }
  return names.join(', ');
}

/** GitHub's heading anchor for a processor type (letters and digits only, lower-cased). */
function anchor(type: string): string {
  return type.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function section(def: ProcessorDefinition): string[] {
  const facts = [`Category: ${def.category}`, INPUT_TEXT[def.input]];
  if (def.routes) facts.push('each transfer is a ROUTE provenance event');
  if (def.onStop) facts.push('when it stops, it emits what it holds');
  return [
    `### ${def.type}`,
    '',
    prose(def.description),
    '',
    `${facts.join(' · ')}.`,
    '',
    ...relationshipTable(def),
    '',
    ...propertyTable(def),
    '',
  ];
}

/** A controller service type: what it provides and its settings. */
function serviceSection(def: ServiceDefinition): string[] {
  return [
    `### ${def.type}`,
    '',
    prose(def.description),
    '',
    `Provides: ${def.provides.map((k) => code(k)).join(', ')}.`,
    '',
    ...propertyTable(def),
    '',
  ];
}

export function renderProcessorDocs(
  definitions: readonly ProcessorDefinition[] = builtinProcessors,
  services: readonly ServiceDefinition[] = builtinServices,
): string {
  const categories = [...new Set(definitions.map((d) => d.category))];
  const lines = [
    '# Processors',
    '',
    '<!-- Generated by `npm run docs:processors` (scripts/processor-docs.ts) from processors/registry.ts: edit the',
    '     processor, not this file. test/docs/processor-docs.test.ts fails when it is out of date. -->',
    '',
    `The ${definitions.length} built-in processor types, generated from the registry (\`processors/registry.ts\`):`,
    'each one as the palette, the config form and the validator read it. Config properties are JSON Schema; a',
    'property left out of a flow takes its default. How expressions, splits and merges, windows and the messaging',
    'connectors behave: [processors-guide.md](processors-guide.md). How to write a processor:',
    '[writing-processors.md](writing-processors.md).',
    '',
    '| type | category | relationships |',
    '| --- | --- | --- |',
    ...definitions.map((d) => `| [${d.type}](#${anchor(d.type)}) | ${d.category} | ${cell(relationshipList(d))} |`),
    '',
  ];
  for (const category of categories) {
    lines.push(`## ${CATEGORY_TITLES[category]}`, '');
    for (const d of definitions.filter((x) => x.category === category)) lines.push(...section(d));
  }
  if (services.length > 0) {
    lines.push(
      '## Controller services',
      '',
      `The ${services.length} built-in controller service types (\`services/registry.ts\`): declared in a flow or group,`,
      'referenced from the processor properties whose type is a service reference. How services are scoped, enabled',
      'and shared: [services.md](services.md).',
      '',
      '| type | provides |',
      '| --- | --- |',
      ...services.map(
        (d) => `| [${d.type}](#${anchor(d.type)}) | ${cell(d.provides.map((k) => code(k)).join(', '))} |`,
      ),
      '',
    );
    for (const d of services) lines.push(...serviceSection(d));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const text = renderProcessorDocs();
  if (process.argv.includes('--check')) {
    const current = await readFile(PROCESSOR_DOCS, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(
        `${path.relative(process.cwd(), PROCESSOR_DOCS)} is out of date: run npm run docs:processors\n`,
      );
      process.exitCode = 1;
    }
  } else {
    await writeFile(PROCESSOR_DOCS, text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), PROCESSOR_DOCS)}\n`);
  }
}
