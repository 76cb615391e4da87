/**
 * Rewrites a validated flow for one test case: which processors stay stopped (muted and captured ones), where
 * each injection enters, and which connections each expectation reads. A "processor:relationship" place gets a
 * tap: an extra connection on that relationship into a funnel that never starts, so what the processor sent
 * there waits in the tap's queue (a relationship wired twice clones, as the engine always does).
 */
import type { ResolvedConnection, ResolvedFlow } from '../../flows/flow-schema';
import { ensureInternalProcessors, FUNNEL_TYPE } from '../../processors/internal/pass-through';
import { relationshipsOf } from '../engine/contract';
import type { ProcessorRegistry } from '../engine/processor-registry';
import type { ValidationIssue } from '../validation/ajv';
import { GROUP_SEPARATOR } from '../validation/flatten-groups';
import type { FlowTestCase } from './test-schema';

export interface PreparedCase {
  flow: ResolvedFlow;
  /** Processors not started: muted and captured. */
  skip: Set<string>;
  /** Injection index → the connection it enters. */
  injectInto: string[];
  /** Expectation index → the connections whose arrivals it reads. */
  readFrom: string[][];
}

const TAP_PREFIX = '~test-tap';

/** `casePath` is the case's JSON pointer (`/cases/2`), prefixed to every issue. */
export function prepareCase(
  flow: ResolvedFlow,
  testCase: FlowTestCase,
  casePath: string,
  registry: ProcessorRegistry,
): { ok: true; prepared: PreparedCase } | { ok: false; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const processors = new Map(flow.processors.map((p) => [p.id, p]));
  const connections = new Map(flow.connections.map((c) => [c.id, c]));
  const inputsOf = (id: string) => flow.connections.filter((c) => c.target === id).map((c) => c.id);
  const shown = (id: string) => id.split(GROUP_SEPARATOR).join('/');
  const known = (path: string, id: string) => {
    if (processors.has(id)) return true;
    const ids = [...processors.keys()].filter((k) => !k.startsWith(TAP_PREFIX)).map(shown);
    issues.push({ path, message: `no processor "${shown(id)}" in flow "${flow.id}"${suggest(shown(id), ids)}` });
    return false;
  };

  const skip = new Set<string>();
  for (const key of ['mute', 'capture'] as const)
    for (const [i, id] of (testCase[key] ?? []).entries())
      if (known(`${casePath}/${key}/${i}`, globalOf(id))) skip.add(globalOf(id));

  const injectInto: string[] = [];
  for (const [i, injection] of (testCase.inject ?? []).entries()) {
    const path = `${casePath}/inject/${i}/at`;
    const at = globalOf(injection.at);
    if (connections.has(at)) {
      injectInto.push(at);
      continue;
    }
    if (at.includes(':')) {
      issues.push({ path, message: `inject into a processor (its input) or a connection, not "${shown(at)}"` });
      continue;
    }
    if (!known(path, at)) continue;
    const inputs = inputsOf(at);
    if (inputs.length === 0) {
      issues.push({
        path,
        message: `processor "${shown(at)}" has no incoming connection: inject into the processor it feeds, or a connection`,
      });
      continue;
    }
    injectInto.push(inputs[0]!);
  }

  const taps: ResolvedConnection[] = [];
  const tapTargets: ResolvedFlow['processors'] = [];
  const tapOf = new Map<string, string>();
  const readFrom: string[][] = [];
  for (const [i, expectation] of testCase.expect.entries()) {
    const path = `${casePath}/expect/${i}/at`;
    const at = globalOf(expectation.at);
    if (connections.has(at)) {
      readFrom.push([at]);
      continue;
    }
    const colon = at.lastIndexOf(':');
    if (colon < 0) {
      if (known(path, at)) readFrom.push(inputsOf(at));
      continue;
    }
    const [id, relationship] = [at.slice(0, colon), at.slice(colon + 1)];
    if (!known(path, id)) continue;
    const spec = processors.get(id)!;
    const definition = registry.get(spec.type);
    const names = definition ? relationshipsOf(definition, spec.config).map((r) => r.name) : [];
    if (!names.includes(relationship)) {
      issues.push({
        path,
        message: `"${relationship}" is not a relationship of processor "${shown(id)}" (${spec.type}); expected one of: ${names.join(', ')}`,
      });
      continue;
    }
    let tap = tapOf.get(at);
    if (!tap) {
      tap = `${TAP_PREFIX}:${at}`;
      tapOf.set(at, tap);
      const target = `${TAP_PREFIX}-target-${tapTargets.length}`;
      tapTargets.push({
        id: target,
        type: FUNNEL_TYPE,
        config: {},
        schedule: { period: '0s', concurrency: 1, penalty: '30s', yield: '1s', timeout: '5m', quarantineAfter: 3 },
        autoTerminate: [],
        disabled: false,
        executionMode: 'all',
      });
      taps.push({
        id: tap,
        source: id,
        target,
        relationships: [relationship],
        // Never full: a tap must not hold its processor back.
        backPressure: { objects: Number.MAX_SAFE_INTEGER, bytes: Number.MAX_SAFE_INTEGER },
        expiration: '0s',
        prioritizer: 'fifo',
      });
      skip.add(target);
    }
    readFrom.push([tap]);
  }

  if (issues.length > 0) return { ok: false, issues };
  if (taps.length > 0) ensureInternalProcessors(registry);
  const rewritten: ResolvedFlow = {
    ...flow,
    processors: [...flow.processors, ...tapTargets],
    connections: [...flow.connections, ...taps],
  };
  return { ok: true, prepared: { flow: rewritten, skip, injectInto, readFrom } };
}

/** A place as written ("group/child/id") → its id in the flattened flow. */
function globalOf(place: string): string {
  return place.split('/').join(GROUP_SEPARATOR);
}

/** ` (did you mean "x"?)` for an id that differs from a known one only in case or by a group prefix. */
function suggest(id: string, ids: string[]): string {
  const near = ids.find((k) => k.toLowerCase() === id.toLowerCase() || k.endsWith(`/${id}`));
  return near ? ` (did you mean "${near}"?)` : `; it has ${ids.map((k) => `"${k}"`).join(', ')}`;
}
