/**
 * The controller services of one running flow (FlowEngine holds one): each enabled before the processors that
 * reference it start (the services it references first), disabled after they stopped (dependents first). A
 * service whose enable throws is "failed" with the reason; processors referencing it do not start, the rest of
 * the flow runs. Starting such a processor again (or the flow) tries the service again.
 */
import type { ResolvedProcessor, ResolvedService } from '../../flows/flow-schema';
import { isInternalType } from '../../processors/internal/pass-through';
import type { ProcessorLogger } from '../engine/contract';
import type { ProcessorRegistry } from '../engine/processor-registry';
import { redactSecrets } from '../secrets/redactor';
import type { ServiceContext, ServiceDefinition, ServiceLookup } from './service-contract';
import { serviceReferences } from './service-references';

export type ServiceState = 'enabled' | 'disabled' | 'enabling' | 'failed';

export interface ServiceStatus {
  /** Global id. */
  id: string;
  type: string;
  name: string;
  state: ServiceState;
  /** Why enabling failed (state "failed"). */
  error?: string;
  /** Global ids of the processors whose config references it. */
  referencedBy: string[];
}

export interface EngineServicesOptions {
  flowId: string;
  logger: ProcessorLogger;
  allowedDirs: readonly string[];
}

class RunningService {
  state: ServiceState = 'disabled';
  instance: unknown;
  error: string | undefined;
  enabling: Promise<void> | undefined;

  constructor(
    readonly spec: ResolvedService,
    readonly definition: ServiceDefinition,
    /** Global ids of the services it references. */
    readonly uses: readonly string[],
  ) {}
}

function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

export class EngineServices {
  private readonly services = new Map<string, RunningService>();
  /** The services each processor spec references (specs are replaced, never mutated, on a change). */
  private readonly referenceCache = new WeakMap<ResolvedProcessor, readonly string[]>();

  constructor(
    private readonly registry: ProcessorRegistry,
    private readonly options: EngineServicesOptions,
    specs: readonly ResolvedService[],
  ) {
    for (const spec of specs) this.services.set(spec.id, this.newService(spec));
  }

  private newService(spec: ResolvedService): RunningService {
    const definition = this.registry.services.get(spec.type);
    if (!definition) throw new Error(`unknown service type "${spec.type}"`);
    return new RunningService(spec, definition, this.ofService(spec));
  }

  /** How processors and services reach enabled services (`SetupContext.services`, `ServiceContext.services`). */
  readonly lookup: ServiceLookup = {
    get: <I>(reference: { service: string }, kind: string): I => {
      const s = this.services.get(reference.service);
      if (!s) throw new Error(`no service "${reference.service}" in flow "${this.options.flowId}"`);
      if (!s.definition.provides.includes(kind))
        throw new Error(`service "${reference.service}" is a ${s.spec.type}, not a ${kind}`);
      if (s.state !== 'enabled')
        throw new Error(`service "${reference.service}" is not enabled (${s.state}${s.error ? `: ${s.error}` : ''})`);
      return s.instance as I;
    },
  };

  /** Global ids of the services a processor's config references. */
  ofProcessor = (spec: ResolvedProcessor): readonly string[] => {
    const cached = this.referenceCache.get(spec);
    if (cached) return cached;
    const definition = isInternalType(spec.type) ? undefined : this.registry.get(spec.type);
    const ids = definition
      ? unique(serviceReferences(definition.config, spec.config).map((r) => r.reference.service))
      : [];
    this.referenceCache.set(spec, ids);
    return ids;
  };

  /** Global ids of the services a service's config references. */
  ofService = (spec: ResolvedService): readonly string[] => {
    const definition = this.registry.services.get(spec.type);
    return definition ? unique(serviceReferences(definition.config, spec.config).map((r) => r.reference.service)) : [];
  };

  has(id: string): boolean {
    return this.services.has(id);
  }

  state(id: string): ServiceState | undefined {
    return this.services.get(id)?.state;
  }

  /** Enables every service whose definition says enabled (failures are recorded, not thrown). */
  async enableAll(): Promise<void> {
    for (const s of this.services.values()) await this.enableOne(s, []);
  }

  /** Enables these services (and what they reference); a failed one is tried again. */
  async enable(ids: Iterable<string>): Promise<void> {
    for (const id of ids) {
      const s = this.services.get(id);
      if (s) await this.enableOne(s, []);
    }
  }

  /**
   * Why a processor cannot start: the first service it references that is not enabled, as a sentence naming
   * it; undefined when all are enabled.
   */
  blocking(spec: ResolvedProcessor): string | undefined {
    for (const id of this.ofProcessor(spec)) {
      const s = this.services.get(id);
      if (!s) return `service "${id}" does not exist`;
      if (s.state === 'enabled') continue;
      if (s.state === 'failed') return `service "${id}" failed to enable: ${s.error ?? 'unknown error'}`;
      return `service "${id}" is ${s.state}`;
    }
    return undefined;
  }

  private async enableOne(s: RunningService, trail: readonly string[]): Promise<void> {
    if (s.state === 'enabled' || s.spec.enabled === false) return;
    if (s.enabling) return s.enabling;
    if (trail.includes(s.spec.id)) {
      this.fail(s, `services reference each other in a cycle: ${[...trail, s.spec.id].join(' → ')}`);
      return;
    }
    s.state = 'enabling';
    s.error = undefined;
    s.enabling = (async () => {
      for (const id of s.uses) {
        const used = this.services.get(id);
        if (used) await this.enableOne(used, [...trail, s.spec.id]);
        if (used?.state !== 'enabled') {
          this.fail(s, `service "${id}" it references is ${used ? used.state : 'missing'}`);
          return;
        }
      }
      try {
        s.instance = await s.definition.enable(s.spec.config, this.context(s));
        s.state = 'enabled';
        this.options.logger.info({ service: s.spec.id, type: s.spec.type }, 'service enabled');
      } catch (err) {
        this.fail(s, errorMessage(err));
      }
    })().finally(() => {
      s.enabling = undefined;
    });
    return s.enabling;
  }

  private fail(s: RunningService, reason: string): void {
    s.state = 'failed';
    s.instance = undefined;
    s.error = redactSecrets(reason);
    this.options.logger.error({ service: s.spec.id, type: s.spec.type }, `service failed to enable: ${s.error}`);
  }

  private context(s: RunningService): ServiceContext {
    const { logger } = this.options;
    const id = s.spec.id;
    return {
      flowId: this.options.flowId,
      serviceId: id,
      allowedDirs: this.options.allowedDirs,
      services: this.lookup,
      logger: {
        debug: (obj, msg) => logger.debug({ service: id, ...obj }, msg),
        info: (obj, msg) => logger.info({ service: id, ...obj }, msg),
        warn: (obj, msg) => logger.warn({ service: id, ...obj }, msg && redactSecrets(msg)),
        error: (obj, msg) => logger.error({ service: id, ...obj }, msg && redactSecrets(msg)),
      },
    };
  }

  /** Disables every service, those referencing others first. */
  async disableAll(): Promise<void> {
    await this.disable([...this.services.keys()]);
  }

  /** Disables these services (their processors have stopped), those that reference others first. */
  async disable(ids: Iterable<string>): Promise<void> {
    const wanted = new Set(ids);
    for (const s of this.dependentsFirst()) if (wanted.has(s.spec.id)) await this.disableOne(s);
  }

  private async disableOne(s: RunningService): Promise<void> {
    if (s.enabling) await s.enabling;
    const wasEnabled = s.state === 'enabled';
    const instance = s.instance;
    s.state = 'disabled';
    s.instance = undefined;
    s.error = undefined;
    if (!wasEnabled) return;
    try {
      await s.definition.disable?.(instance, this.context(s));
      this.options.logger.info({ service: s.spec.id, type: s.spec.type }, 'service disabled');
    } catch (err) {
      this.options.logger.warn(
        { service: s.spec.id, type: s.spec.type },
        `service failed to disable cleanly: ${redactSecrets(errorMessage(err))}`,
      );
    }
  }

  /** Services ordered so that each comes before those it references. */
  private dependentsFirst(): RunningService[] {
    const order: RunningService[] = [];
    const seen = new Set<RunningService>();
    const visit = (s: RunningService) => {
      if (seen.has(s)) return;
      seen.add(s);
      for (const id of s.uses) {
        const used = this.services.get(id);
        if (used) visit(used);
      }
      order.push(s); // after what it references
    };
    for (const s of this.services.values()) visit(s);
    return order.reverse();
  }

  /**
   * Switches to a new list of services: `replaced` (removed or changed, already disabled by the caller) give
   * way to the new specs; the others keep their running instance.
   */
  replace(specs: readonly ResolvedService[], replaced: ReadonlySet<string>): void {
    const kept = new Map(this.services);
    this.services.clear();
    for (const spec of specs) {
      const old = kept.get(spec.id);
      this.services.set(spec.id, old && !replaced.has(spec.id) ? old : this.newService(spec));
    }
  }

  /** Builds what `replace` would, without changing anything: throws on an unknown type. */
  check(specs: readonly ResolvedService[]): void {
    for (const spec of specs)
      if (!this.registry.services.get(spec.type)) throw new Error(`unknown service type "${spec.type}"`);
  }

  status(processors: Iterable<ResolvedProcessor>): Record<string, ServiceStatus> {
    const referencedBy = new Map<string, string[]>();
    for (const p of processors)
      for (const id of this.ofProcessor(p)) {
        const list = referencedBy.get(id);
        if (list) list.push(p.id);
        else referencedBy.set(id, [p.id]);
      }
    const out: Record<string, ServiceStatus> = {};
    for (const s of this.services.values())
      out[s.spec.id] = {
        id: s.spec.id,
        type: s.spec.type,
        name: s.spec.name ?? s.spec.id,
        state: s.state,
        ...(s.error !== undefined && { error: s.error }),
        referencedBy: referencedBy.get(s.spec.id) ?? [],
      };
    return out;
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
