/**
 * Renders the README's processor section from the registry, so the table cannot drift from the code.
 * `npx tsx scripts/processors-doc.ts` prints it; `--write` replaces the section in README.md.
 * processors/readme.test.ts checks that README.md holds exactly what this renders.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinProcessors } from '../processors/registry';
import type { ProcessorDefinition } from '../server/engine/contract';

export const START = '<!-- section:processors -->';
export const END = '<!-- /section:processors -->';

const INTRO = `## Processors

Every processor is declared as data (\`processors/<name>/index.ts\`): its config is a JSON Schema (the config form,
the validator and this table read it), its relationships are named, and it works through the session, so
provenance, backpressure and rollback apply to all of them. The table is generated from the registry by
\`npx tsx scripts/processors-doc.ts --write\` (a test fails when it is out of date).

- **Expressions** are [JSONata](https://jsonata.org) over \`{ attributes, content }\`: \`content\` is the content
  parsed as JSON when it is JSON, else the UTF-8 text. A string literal needs quotes (\`"\\"eu\\""\`); an attribute with
  dots needs backticks (\`\` attributes.\`http.method\` \`\`). A broken expression or regular expression is a config
  error at its JSON path (\`/processors/2/config/routes/large\`), never a runtime crash; an expression that fails at
  run time sends that FlowFile to \`failure\` with the reason in an attribute.
- **Splits and merges**: SplitText and SplitJSON children carry \`fragment.identifier\`, \`fragment.index\`
  (0-based), \`fragment.count\` and \`segment.original.filename\`, with FORK provenance; MergeContent's
  \`defragment\` mode puts them back together in order (JOIN provenance). MergeContent never holds FlowFiles in
  memory across sessions: a bin that is not ready yet goes back to the front of its input queue
  (\`session.requeue\`) and the processor yields, so a stop, a crash or a rollback loses nothing.
- **ListenHTTP** with \`port\` 0 is served by the Sluice server at \`/listen/<processor id>\`; it answers \`200\`
  only once the FlowFile is committed, \`503\` with \`Retry-After\` while its outgoing connection is backpressured
  (backpressure reaches the client), \`500\` if the session rolled back, \`413\` over \`maxBodySize\`.
- **NATS**: ConsumeNATS in \`jetstream\` mode pulls only while the flow is not backpressured and acknowledges a
  message only after its session committed (a rollback naks it: at least once); core NATS is at most once.
  PublishNATS in \`jetstream\` mode waits for the stream's acknowledgement and uses the FlowFile id as message id,
  so a retried publish is deduplicated.
- **Files**: GetFile and PutFile directories must lie under the server's allowed directories
  (\`--allow-dir\`, the data directory by default); PutFile refuses names that would leave its directory
  (\`../\`, absolute names, symbolic links).

Two example pipelines use most of them:

\`\`\`sh
# CSV files → records → validated → routed → JSON lines (data/csv-out/eu.jsonl, other.jsonl, rejected.jsonl)
mkdir -p data/csv-in && cp flows/examples/input/*.csv data/csv-in/
node bin/sluice.mjs run flows/examples/csv-orders-to-json-lines.json --until-idle

# HTTP ingest → split → enrich → merge → file: served by \`npm start\`, one data/http-out/batch-<id>.json per request
curl -X POST -H 'content-type: application/json' --data '[{"id":"e1"},{"id":"e2"}]' http://127.0.0.1:8080/listen/ingest
\`\`\`
`;

interface Property {
  description?: string;
  default?: unknown;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Description text: like a cell, and "<name>" must not read as an HTML tag nor "http.*" as emphasis. */
function prose(text: string): string {
  return cell(text).replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*');
}

/** An inline code span; one holding a backtick needs double backticks around it. */
function code(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function relationships(def: ProcessorDefinition): string {
  const names = def.relationships.map((r) => `\`${r.name}\``);
  if (def.dynamicRelationships) names.unshift('one per configured route');
  return names.join(', ');
}

function properties(def: ProcessorDefinition): string {
  const props = (def.config as { properties?: Record<string, Property> }).properties ?? {};
  return Object.entries(props)
    .map(([name, p]) => `\`${name}\` = ${code(p.default)}`)
    .join('<br>');
}

export function renderProcessorsSection(definitions: readonly ProcessorDefinition[] = builtinProcessors): string {
  const rows = definitions.map(
    (d) => `| ${d.type} | ${d.category} | ${cell(relationships(d))} | ${cell(properties(d))} |`,
  );
  const details = definitions.map((d) => {
    const props = (d.config as { properties?: Record<string, Property> }).properties ?? {};
    const lines = Object.entries(props).map(
      ([name, p]) => `  - \`${name}\` (${code(p.default)}): ${prose(p.description ?? '')}`,
    );
    const rels = [
      ...(d.dynamicRelationships ? ['  - one relationship per configured route'] : []),
      ...d.relationships.map((r) => `  - \`${r.name}\`: ${prose(r.description)}`),
    ];
    return [`- **${d.type}**: ${prose(d.description)}`, '  Relationships:', ...rels, '  Properties:', ...lines].join(
      '\n',
    );
  });
  return [
    INTRO,
    '| type | category | relationships | properties (default) |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '### Each processor in detail',
    '',
    ...details,
  ].join('\n');
}

/** README text with the processor section replaced. */
export function withProcessorsSection(readme: string, section = renderProcessorsSection()): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${section}\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const section = renderProcessorsSection();
  if (process.argv.includes('--write')) {
    const file = path.resolve(import.meta.dirname, '../README.md');
    await writeFile(file, withProcessorsSection(await readFile(file, 'utf8'), section));
  } else process.stdout.write(`${section}\n`);
}
