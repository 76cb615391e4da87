/**
 * The processor contract, declared as data: one object feeds the palette, the generated config form,
 * the validator and the scheduler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { ServiceLookup } from '../services/service-contract';
import { type ConfigFormatTypes, parseConfigFormats } from './config-formats';
import type { Attributes, FlowFile } from './flowfile';

export interface Relationship {
  name: string;
  description: string;
}

export type ProcessorCategory = 'source' | 'transform' | 'route' | 'sink' | 'messaging' | 'stream';

/** A problem in a processor's config, with a JSON path relative to the config object ("" = the whole config). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** What a processor's own config checks may depend on besides the config. */
export interface ValidationContext {
  /** Directories file processors may use; empty = unrestricted. */
  allowedDirs: readonly string[];
  /** The server requires a token: a processor may open a port beyond loopback. */
  authenticated: boolean;
}

/** The only way a processor touches FlowFiles. The engine commits it when onTrigger returns. */
export interface ProcessSession {
  /** Takes up to `max` FlowFiles from the processor's input connections; [] when there are none. */
  get(max?: number): Promise<FlowFile[]>;
  /** A new FlowFile: CREATE, or with parents FORK (one parent) / JOIN (several) in provenance. */
  create(options?: { parents?: readonly FlowFile[]; content?: Buffer | string; attributes?: Attributes }): FlowFile;
  /** A copy with a new id (CLONE). */
  clone(ff: FlowFile): FlowFile;
  /** Returns the new version; the old object must not be used afterwards. */
  putAttributes(ff: FlowFile, attributes: Attributes): FlowFile;
  removeAttributes(ff: FlowFile, keys: readonly string[]): FlowFile;
  write(ff: FlowFile, content: Buffer | string): FlowFile;
  /** Routes to a relationship of this processor; an unknown name throws at once. */
  transfer(ff: FlowFile, relationship: string): void;
  /** Drops the FlowFile (DROP). */
  remove(ff: FlowFile): void;
  /**
   * Gives an unchanged input FlowFile back to its queue at commit, at the front and not penalized, instead
   * of acknowledging it: no provenance, not counted as processed. For processors that wait for more input
   * (MergeContent's bins, ControlRate's budget); one that requeues should also `yield()` to avoid spinning.
   */
  requeue(ff: FlowFile): void;
  /**
   * Details for the provenance events this session records about `ff` (its CREATE / FORK / JOIN, content or
   * attribute change, ROUTE) that carry none of their own: what a record processor did ("1,000 records").
   */
  describe(ff: FlowFile, details: string): void;
  /** Provenance only this processor can see. */
  reportReceive(ff: FlowFile, transitUri: string, details?: string): void;
  reportSend(ff: FlowFile, transitUri: string, details?: string): void;
  reportFetch(ff: FlowFile, transitUri: string, details?: string): void;
  /** Runs once the session has committed (delete a source file, answer a client, ack a broker). */
  afterCommit(action: () => void | Promise<void>): void;
  /** Runs if the session rolls back. */
  afterRollback(action: () => void | Promise<void>): void;
  /**
   * Replaces this processor's state (NiFi's StateManager, local scope) when the session commits, in the same
   * durable write as its outputs and acknowledgements: a restart neither repeats nor skips what was committed.
   * Read it back with `ctx.getState()`. Values are strings; keep it small (counters, listing marks, keys).
   */
  setState(state: ProcessorStateValues): void;
}

/** A processor's persisted state: a small map of strings. */
export type ProcessorStateValues = Readonly<Record<string, string>>;

export interface ProcessorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** A request handler mounted on the Sluice server (`ctx.mountHttp`). */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A handler mounted on the server: requests to `path` and below reach it until `unmount()`. */
export interface HttpMount {
  /** The server path it serves: `/listen/<processor id>` (URL-encoded); the handler sees the full request URL. */
  path: string;
  /** Releases the path (idempotent); the engine also releases it after teardown. */
  unmount(): void;
}

export interface SetupContext {
  flowId: string;
  processorId: string;
  logger: ProcessorLogger;
  /** Directories file processors may touch; empty = unrestricted. */
  allowedDirs: readonly string[];
  /**
   * Wakes the scheduler for this processor (e.g. a listener received data); a processor with inputs is then
   * triggered once even when they are empty (a timer of a processor that holds state, like open windows).
   */
  wake(): void;
  /**
   * This processor's state as last committed (`session.setState`), surviving restarts on the durable
   * repository; undefined when it never set any. Sessions of one processor see each other's commits.
   */
  getState(): ProcessorStateValues | undefined;
  /**
   * The controller services the processor's config references (`{"service": id}` at a property made by
   * `serviceReference`): `ctx.services.get(config.client, 'http-client')`. The engine enables them before the
   * processor starts.
   */
  services: ServiceLookup;
  /**
   * Mounts `handler` on the Sluice server's own HTTP port at `/listen/<processor id>` (instead of opening a
   * port); throws when another running processor holds that path. Call it in setup, `unmount()` in teardown.
   */
  mountHttp(handler: HttpHandler): HttpMount;
  /**
   * A line for the flow's debug panel (its bounded debug log, shown live on the canvas), besides what the
   * processor logs: what a person watching the flow wants to see (LogAttribute's lines). Cheap; keep it small.
   */
  debug(entry: DebugInput): void;
}

/** What a processor hands to `ctx.debug`: a message, optionally about one FlowFile. */
export interface DebugInput {
  message: string;
  flowFileId?: string;
  attributes?: Readonly<Attributes>;
  /** Content as text (the processor truncates it; the log cuts at 4 KiB). */
  content?: string;
}

export interface TriggerContext<C, S> extends SetupContext {
  config: C;
  state: S;
  /** Pauses this processor for its yield duration after this trigger (nothing to do right now). */
  yield(): void;
  /** True while any outgoing connection is full: listeners use it to refuse work at the edge. */
  isBackPressured(): boolean;
}

export interface ProcessorDefinition<C = any, S = any> {
  type: string;
  description: string;
  category: ProcessorCategory;
  /** JSON Schema of the config object; every property has a description and a default where one makes sense. */
  config: JSONSchema & object;
  relationships: readonly Relationship[];
  /** Relationships derived from the config (routers). */
  dynamicRelationships?: (config: C) => Relationship[];
  /** 'forbidden' for sources (no incoming connection allowed), 'required' for most others. */
  input: 'required' | 'forbidden' | 'allowed';
  /** Emit a ROUTE event for each transfer (routers). */
  routes?: boolean;
  /** Checks a schema cannot express (expressions compile, regexes parse, paths allowed). */
  validate?: (config: C, ctx: ValidationContext) => ConfigIssue[];
  /** Parses the config once per start; the result is `ctx.state`, shared by the processor's tasks. */
  setup?: (config: C, ctx: SetupContext) => S | Promise<S>;
  onTrigger(session: ProcessSession, ctx: TriggerContext<C, S>): void | Promise<void>;
  /**
   * Runs once in a last session when the processor stops, after its tasks ended and before teardown: emit
   * what it holds (open windows) instead of losing it. It may overshoot a full outgoing connection once.
   */
  onStop?: (session: ProcessSession, ctx: TriggerContext<C, S>) => void | Promise<void>;
  /** Releases what setup acquired (servers, sockets, subscriptions). */
  teardown?: (state: S, ctx: SetupContext) => void | Promise<void>;
}

/**
 * The config type a processor's JSON Schema describes (defaults make properties present); `x-format` duration
 * and size properties are numbers (milliseconds, bytes), parsed by the engine (config-formats.ts).
 */
export type ConfigOf<Schema> = Schema extends JSONSchema
  ? FromSchema<Schema, { deserialize: ConfigFormatTypes }>
  : never;

/** Declares a processor with its config type inferred from its JSON Schema. */
export function defineProcessor<const Schema extends object, S = undefined>(
  // NoInfer: Schema is inferred from `config` alone (inferring it back through the config type never ends).
  definition: Omit<ProcessorDefinition<NoInfer<ConfigOf<Schema>>, S>, 'config'> & { config: Schema },
): ProcessorDefinition<NoInfer<ConfigOf<Schema>>, S> {
  return definition as unknown as ProcessorDefinition<ConfigOf<Schema>, S>;
}

/** Every relationship of a processor for a given config. */
export function relationshipsOf(def: ProcessorDefinition, config: unknown): Relationship[] {
  const dynamic = def.dynamicRelationships
    ? def.dynamicRelationships(parseConfigFormats(def.config, config, { check: false }).config)
    : [];
  return [...dynamic, ...def.relationships];
}
