/**
 * A snapshot run for "pin these FlowFiles as a test": the FlowFiles are injected into one connection of the
 * flow as it is now, only the connection's destination runs (every other processor is muted or captured, as a
 * pinned case will have them), and what the destination sends on each of its relationships is recorded. The
 * case runs twice (run-case.ts, unchanged): an attribute or content that differs between the runs (an id, a
 * time) is reported as varying, so the pinned expectations hold only what is reproducible.
 */
import type { ResolvedConnection, ResolvedFlow } from '../../flows/flow-schema';
import { defineProcessor, relationshipsOf } from '../engine/contract';
import type { FlowFile } from '../engine/flowfile';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { createAjv, toIssues, type ValidationIssue } from '../validation/ajv';
import { GROUP_SEPARATOR } from '../validation/flatten-groups';
import type { ResolvedInjection } from './load';
import { prepareCase } from './prepare-flow';
import { type CaseRunOptions, runCase } from './run-case';
import type { FlowTestCase } from './test-schema';

/** FlowFiles reported per relationship (the count is always whole). */
export const SNAPSHOT_MAX_FLOWFILES = 20;
/** Content longer than this (characters) is not returned. */
export const SNAPSHOT_CONTENT_CHARS = 4096;

/** `POST /api/flows/:id/tests/snapshot`. */
export interface SnapshotRequest {
  /** The connection the FlowFiles enter (its id; a group member as "group/id"). */
  at: string;
  inject: { content: string; attributes?: Record<string, string> }[];
}

/** One FlowFile the destination sent. */
export interface SnapshotFlowFile {
  attributes: Record<string, string>;
  /** Attributes whose value differed between the two runs (ids, times): not reproducible. */
  varying: string[];
  size: number;
  /** The content as text, when it is UTF-8 and at most SNAPSHOT_CONTENT_CHARS long. */
  content?: string;
  /** The content differed between the two runs. */
  contentVaries: boolean;
}

export interface SnapshotOutput {
  relationship: string;
  /** The place a test names it by: "<destination>:<relationship>". */
  place: string;
  count: number;
  /** The first SNAPSHOT_MAX_FLOWFILES, in the order they were sent. */
  flowFiles: SnapshotFlowFile[];
}

export interface SnapshotAnswer {
  flowId: string;
  /** The connection, as a test names it. */
  at: string;
  /** Its destination processor, as a test names it, and its type. */
  destination: string;
  destinationType: string;
  /** What a pinned case mutes (sources) and captures (every other processor but the destination). */
  mute: string[];
  capture: string[];
  /** One per relationship of the destination, in its order. */
  outputs: SnapshotOutput[];
  /** The two runs sent different counts: the destination is not deterministic for these FlowFiles. */
  consistent: boolean;
  /** The run failed (a processor did not start...): `outputs` are empty. */
  error?: string;
  bulletins?: string[];
}

export type SnapshotResult = { ok: true; answer: SnapshotAnswer } | { ok: false; issues: ValidationIssue[] };

const requestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['at', 'inject'],
  properties: {
    at: { type: 'string', minLength: 1 },
    inject: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['content'],
        properties: {
          content: { type: 'string' },
          attributes: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
} as const;

const validateRequest = createAjv().compile(requestSchema);

/** Checks a request body; issues name the JSON path (`/inject/0/content`). */
export function checkSnapshotRequest(
  body: unknown,
): { ok: true; value: SnapshotRequest } | { ok: false; issues: ValidationIssue[] } {
  if (validateRequest(body)) return { ok: true, value: body as SnapshotRequest };
  return { ok: false, issues: toIssues(validateRequest.errors) };
}

const RECORDER_TYPE = '~SnapshotRecorder';
const RECORDER_PREFIX = '~snapshot-recorder';

/** Runs the snapshot twice against `flow` (validated and resolved) and compares the runs. */
export async function snapshotRun(
  flow: ResolvedFlow,
  request: SnapshotRequest,
  options: CaseRunOptions,
): Promise<SnapshotResult> {
  const at = request.at.split('/').join(GROUP_SEPARATOR);
  const connection = flow.connections.find((c) => c.id === at);
  if (!connection)
    return {
      ok: false,
      issues: [{ path: '/at', message: `no connection "${request.at}" in flow "${flow.id}"` }],
    };
  const destination = flow.processors.find((p) => p.id === connection.target)!;
  const definition = options.registry.get(destination.type);
  if (!definition)
    return { ok: false, issues: [{ path: '/at', message: `unknown processor type "${destination.type}"` }] };
  const relationships = relationshipsOf(definition, destination.config).map((r) => r.name);
  const fed = new Set(flow.connections.map((c) => c.target));
  const others = flow.processors.filter((p) => p.id !== destination.id);
  const testCase: FlowTestCase = {
    name: 'snapshot',
    inject: request.inject.map((i) => ({
      at: shown(at),
      content: i.content,
      attributes: i.attributes ?? {},
      repeat: 1,
    })),
    mute: others.filter((p) => !fed.has(p.id)).map((p) => shown(p.id)),
    capture: others.filter((p) => fed.has(p.id)).map((p) => shown(p.id)),
    // Never met: the run ends when the flow is quiet (or at the timeout), not at the first arrival.
    expect: [{ at: shown(at), count: Number.MAX_SAFE_INTEGER }],
    timeout: '10s',
  };
  const base: SnapshotAnswer = {
    flowId: flow.id,
    at: shown(at),
    destination: shown(destination.id),
    destinationType: destination.type,
    mute: testCase.mute ?? [],
    capture: testCase.capture ?? [],
    outputs: [],
    consistent: true,
  };
  const prepared = prepareCase(flow, testCase, '', options.registry);
  if (!prepared.ok) return { ok: false, issues: prepared.issues };
  const injections: ResolvedInjection[] = request.inject.map((i) => ({
    at: shown(at),
    content: Buffer.from(i.content),
    attributes: i.attributes ?? {},
    repeat: 1,
  }));

  const runs: Map<string, FlowFile[]>[] = [];
  for (let run = 0; run < 2; run++) {
    const recorded = new Map<string, FlowFile[]>(relationships.map((r) => [r, []]));
    const withRecorders = addRecorders(prepared.prepared.flow, destination.id, relationships);
    const result = await runCase(testCase, '', { ...prepared.prepared, flow: withRecorders }, injections, {
      ...options,
      registry: recordingRegistry(options.registry, recorded),
    });
    if (result.error !== undefined)
      return {
        ok: true,
        answer: { ...base, error: result.error, ...(result.bulletins && { bulletins: result.bulletins }) },
      };
    runs.push(recorded);
  }
  const [first, second] = runs as [Map<string, FlowFile[]>, Map<string, FlowFile[]>];
  let consistent = true;
  const outputs = relationships.map((relationship): SnapshotOutput => {
    const a = first.get(relationship) ?? [];
    const b = second.get(relationship) ?? [];
    if (a.length !== b.length) consistent = false;
    return {
      relationship,
      place: `${shown(destination.id)}:${relationship}`,
      count: a.length,
      flowFiles: a.slice(0, SNAPSHOT_MAX_FLOWFILES).map((ff, i) => describe(ff, b[i])),
    };
  });
  return { ok: true, answer: { ...base, outputs, consistent } };
}

/** One connection per relationship of the destination into its own recorder (recorder i: relationship i). */
function addRecorders(flow: ResolvedFlow, destination: string, relationships: string[]): ResolvedFlow {
  const recorders = relationships.map((r, i) => ({ id: `${RECORDER_PREFIX}-${i}`, relationship: r }));
  const connections: ResolvedConnection[] = recorders.map(({ id, relationship }) => ({
    id: `${id}-in`,
    source: destination,
    target: id,
    relationships: [relationship],
    backPressure: { objects: Number.MAX_SAFE_INTEGER, bytes: Number.MAX_SAFE_INTEGER },
    expiration: '0s',
    prioritizer: 'fifo',
  }));
  return {
    ...flow,
    processors: [
      ...flow.processors,
      ...recorders.map(({ id, relationship }) => ({
        id,
        name: relationship,
        type: RECORDER_TYPE,
        config: {},
        schedule: { period: '0s', concurrency: 1, penalty: '30s', yield: '1s', timeout: '5m', quarantineAfter: 3 },
        autoTerminate: [],
        disabled: false,
        executionMode: 'all' as const,
      })),
    ],
    connections: [...flow.connections, ...connections],
  };
}

/**
 * The server's registry plus a recorder type for this run: it keeps each FlowFile it takes under the
 * relationship it records (its processor's name) and drops it. The server's registry is not changed.
 */
function recordingRegistry(registry: ProcessorRegistry, recorded: Map<string, FlowFile[]>): ProcessorRegistry {
  const recorder = defineProcessor({
    type: RECORDER_TYPE,
    category: 'route',
    description: 'Records what a snapshot run sent on one relationship.',
    input: 'required',
    config: { type: 'object', additionalProperties: false, properties: {} },
    relationships: [],
    setup: (_config, ctx) => ({ processorId: ctx.processorId }),
    async onTrigger(session, { state }) {
      const relationship = recorderRelationship.get(state.processorId);
      for (const ff of await session.get(100)) {
        if (relationship !== undefined) recorded.get(relationship)?.push(ff);
        session.remove(ff);
      }
    },
  });
  const recorderRelationship = new Map([...recorded.keys()].map((r, i) => [`${RECORDER_PREFIX}-${i}`, r]));
  const wrapped = Object.create(registry) as ProcessorRegistry;
  wrapped.get = (type: string) => (type === RECORDER_TYPE ? recorder : registry.get(type));
  return wrapped;
}

function describe(ff: FlowFile, again: FlowFile | undefined): SnapshotFlowFile {
  const attributes = { ...ff.attributes };
  const varying = Object.keys(attributes).filter((k) => again?.attributes[k] !== attributes[k]);
  const text = ff.content.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(ff.content);
  return {
    attributes,
    varying,
    size: ff.size,
    ...(isText && text.length <= SNAPSHOT_CONTENT_CHARS && { content: text }),
    contentVaries: !again?.content.equals(ff.content),
  };
}

/** A flattened id as a test names it ("group/id"). */
function shown(id: string): string {
  return id.split(GROUP_SEPARATOR).join('/');
}
