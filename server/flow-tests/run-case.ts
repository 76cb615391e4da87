/**
 * Runs one test case in a fresh in-process engine with in-memory queues: every queue records what is offered
 * to it (what reached that connection), muted and captured processors never start, the injections enter
 * their queues, and the case waits until no FlowFile arrived anywhere for QUIET_MS while the expectations are
 * met or the flow is quiet (nothing queued for a running processor, no task running, every running source
 * idle), or until the timeout.
 * Then the flow stops from its sources down (as `sluice run` does, so what a stop emits, an open window, still
 * arrives) and the expectations are evaluated.
 */
import type { ResolvedFlow } from '../../flows/flow-schema';
import type { ProcessorLogger } from '../engine/contract';
import { FlowEngine, type QueueFactory, silentLogger } from '../engine/flow-engine';
import { type FlowFile, newFlowFile } from '../engine/flowfile';
import type { ProcessorRegistry } from '../engine/processor-registry';
import type { Prioritizer } from '../engine/queue';
import { parseDuration } from '../engine/units';
import { MemoryQueue } from '../storage/memory-queue';
import { evaluateExpectation } from './expectations';
import type { ResolvedInjection } from './load';
import type { PreparedCase } from './prepare-flow';
import type { ExpectationFailure, FlowTestCaseResult } from './report';
import type { FlowTestCase } from './test-schema';

/** No arrival for this long (and nothing to do) is a quiet flow. */
const QUIET_MS = 200;
const POLL_MS = 20;
/** The least time the final stop gets to carry what stopping processors emit to the captures. */
const MIN_DRAIN_MS = 2000;
/** Bulletins kept for a failed case's report. */
const MAX_BULLETINS = 5;

export interface CaseRunOptions {
  registry: ProcessorRegistry;
  allowedDirs?: readonly string[];
  logger?: ProcessorLogger;
}

export async function runCase(
  testCase: FlowTestCase,
  casePath: string,
  prepared: PreparedCase,
  injections: readonly ResolvedInjection[],
  options: CaseRunOptions,
): Promise<FlowTestCaseResult> {
  const started = Date.now();
  /** Per connection, what entered it with its arrival number (a place reading several keeps arrival order). */
  const arrivals = new Map<string, { n: number; ff: FlowFile }[]>();
  let arrivalCount = 0;
  const bulletins: string[] = [];
  const connectionIds = new Set(prepared.flow.connections.map((c) => c.id));
  const queueFactory: QueueFactory = (_flowId, spec) => {
    const queue = new MemoryQueue(spec.id, spec.prioritizer as Prioritizer);
    if (!connectionIds.has(spec.id)) return queue; // a quarantine
    const offer = queue.offer.bind(queue);
    queue.offer = (ffs) => {
      const list = arrivals.get(spec.id) ?? [];
      for (const ff of ffs) list.push({ n: arrivalCount++, ff });
      arrivals.set(spec.id, list);
      return offer(ffs);
    };
    return queue;
  };
  const engine = new FlowEngine(prepared.flow as ResolvedFlow, options.registry, {
    queueFactory,
    logger: options.logger ?? silentLogger,
    allowedDirs: options.allowedDirs ?? [],
    onBulletin: (_flowId, processor, bulletin) => {
      if (bulletins.length < MAX_BULLETINS) bulletins.push(`${processor.id}: ${bulletin.message}`);
    },
  });
  const arrivedAt = (i: number) =>
    prepared.readFrom[i]!.flatMap((id) => arrivals.get(id) ?? [])
      .sort((a, b) => a.n - b.n)
      .map((a) => a.ff);
  const evaluate = async () => {
    const failures: ExpectationFailure[] = [];
    for (const [i, expectation] of testCase.expect.entries())
      failures.push(...(await evaluateExpectation(expectation, `${casePath}/expect/${i}`, arrivedAt(i))));
    return failures;
  };
  const result = (failures: ExpectationFailure[], error?: string): FlowTestCaseResult => ({
    name: testCase.name,
    passed: failures.length === 0 && error === undefined,
    durationMs: Date.now() - started,
    failures,
    ...(error !== undefined && { error }),
    ...((failures.length > 0 || error !== undefined) && bulletins.length > 0 && { bulletins: [...bulletins] }),
  });

  try {
    const startFailures = await engine.start({ skip: prepared.skip });
    if (startFailures.length > 0)
      return result(
        [],
        startFailures.map((f) => `processor "${f.processorId}" failed to start: ${f.error}`).join('; '),
      );
    for (const [i, injection] of injections.entries()) {
      const connection = engine.connection(prepared.injectInto[i]!);
      const ffs = Array.from({ length: injection.repeat }, () =>
        newFlowFile(injection.content, { ...injection.attributes }),
      );
      await connection.queue.offer(ffs);
      engine.processors.get(connection.spec.target)?.signal.notify();
    }
    const deadline = started + parseDuration(testCase.timeout ?? '10s');
    // Met expectations alone do not end the wait (one more FlowFile may be on its way): they must also hold
    // for QUIET_MS without any arrival, which ends flows that never go quiet (a timer source) early.
    let seen = -1;
    let stableSince = Date.now();
    let met = false;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (arrivalCount !== seen) {
        seen = arrivalCount;
        stableSince = Date.now();
        met = (await evaluate()).length === 0;
      } else if (Date.now() - stableSince >= QUIET_MS && (met || isQuiet(engine))) break;
    }
    await engine.drainAndStop(Math.max(MIN_DRAIN_MS, deadline - Date.now()));
    return result(await evaluate());
  } catch (err) {
    return result([], (err as Error).message);
  } finally {
    if (engine.isRunning) await engine.stop().catch(() => {});
  }
}

/** Nothing queued for a running processor, no task in onTrigger, every running source found nothing to do. */
function isQuiet(engine: FlowEngine): boolean {
  for (const c of engine.connections.values())
    if (engine.processors.get(c.spec.target)?.state === 'running' && c.queue.depth().count > 0) return false;
  for (const p of engine.processors.values()) {
    if (p.runningTasks > 0) return false;
    if (p.state === 'running' && p.isSource && !p.idle) return false;
  }
  return true;
}
