/**
 * Test helpers of the broker connection services: enable one directly (its config completed with the schema's
 * defaults, as the flow validator does), and run a processor that references it through the processor harness
 * (`ctx.services` answering for the enabled instances).
 */
import type {
  ProcessorDefinition,
  ProcessorLogger,
  ServiceContext,
  ServiceDefinition,
  ServiceLookup,
  ServiceReference,
  SetupContext,
} from '../sdk';
import { createAjv } from '../sdk/testing';

export interface LogLine {
  level: string;
  obj: object;
  msg?: string;
}

export function memoryLogger(lines: LogLine[] = []): ProcessorLogger & { lines: LogLine[] } {
  const log = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}

/** The config as the validator hands it to `enable`: defaults filled in, schema errors thrown. */
export function serviceConfig<C>(definition: ServiceDefinition<C>, config: object): C {
  const validate = createAjv({ useDefaults: true }).compile(definition.config);
  const copy = structuredClone(config);
  if (!validate(copy)) throw new Error(`invalid ${definition.type} config: ${JSON.stringify(validate.errors)}`);
  const issues = definition.validate?.(copy as C, { allowedDirs: [], authenticated: false }) ?? [];
  if (issues.length > 0) throw new Error(`invalid ${definition.type} config: ${JSON.stringify(issues)}`);
  return copy as C;
}

export interface Enabled<I> {
  id: string;
  definition: ServiceDefinition;
  instance: I;
  ctx: ServiceContext;
  disable(): Promise<void>;
}

export async function enableService<C, I>(
  definition: ServiceDefinition<C, I>,
  config: object,
  id = 'svc',
): Promise<Enabled<I>> {
  const ctx: ServiceContext = {
    flowId: 'test-flow',
    serviceId: id,
    logger: memoryLogger(),
    allowedDirs: [],
    services: lookupOf([]),
  };
  const instance = await definition.enable(serviceConfig(definition, config), ctx);
  return {
    id,
    definition: definition as ServiceDefinition,
    instance,
    ctx,
    disable: async () => {
      await definition.disable?.(instance, ctx);
    },
  };
}

/** A lookup over enabled services, checking the kind as the engine's does. */
export function lookupOf(services: readonly Enabled<unknown>[]): ServiceLookup {
  return {
    get<I>(reference: ServiceReference, kind: string): I {
      const found = services.find((s) => s.id === reference.service);
      if (!found) throw new Error(`service "${reference.service}" is not enabled`);
      if (!found.definition.provides.includes(kind))
        throw new Error(`service "${reference.service}" (${found.definition.type}) does not provide ${kind}`);
      return found.instance as I;
    },
  };
}

/** The processor with `ctx.services` added to every context it sees (what the engine does for services in scope). */
export function withServices<C, S>(
  definition: ProcessorDefinition<C, S>,
  services: readonly Enabled<unknown>[],
): ProcessorDefinition<C, S> {
  const lookup = lookupOf(services);
  const add = <T extends SetupContext>(ctx: T): T => ({ ...ctx, services: lookup });
  return {
    ...definition,
    setup: definition.setup && ((config, ctx) => definition.setup!(config, add(ctx))),
    onTrigger: (session, ctx) => definition.onTrigger(session, add(ctx)),
    onStop: definition.onStop && ((session, ctx) => definition.onStop!(session, add(ctx))),
    teardown: definition.teardown && ((state, ctx) => definition.teardown!(state, add(ctx))),
  };
}

/**
 * Established TCP connections to a loopback port, counted on the client side from /proc/net/tcp{,6}: the
 * brokers the tests start listen on a port of their own, so these are the connections their clients hold.
 */
export async function connectionsToPort(port: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4) continue;
      const remotePort = Number.parseInt(fields[2]!.split(':')[1] ?? '', 16);
      if (remotePort === port && fields[3] === '01') count++;
    }
  }
  return count;
}
