/**
 * The NATS options of `sluice run` and `sluice serve`, and opening the back end from them with the errors a
 * person at a terminal needs: one line naming the URL per failed attempt, never a stack trace.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ProcessorLogger } from '../engine/contract';
import { parseDuration, parseSize } from '../engine/units';
import { warnIfUnsynced } from './durability-check';
import { NatsBackend } from './nats-backend';

export interface NatsCliOptions {
  nats?: string;
  natsAckWait: string;
  provenanceMaxAge: string;
  provenanceMaxBytes: string;
  /** Copies of every stream and bucket (a JetStream cluster); default 1. */
  replicas?: number;
  /** Where this process keeps its on-disk index of the provenance stream (default: a temporary directory). */
  provenanceIndex?: string;
  /** Monitoring URL(s) of the NATS server(s) (`http://host:8222`), read once at start to check the sync policy. */
  natsMonitor?: string;
}

export function addNatsOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--nats <url>', 'put every connection (and provenance) on NATS JetStream at this URL').env('NATS_URL'),
    )
    .addOption(
      new Option(
        '--nats-monitor <url>',
        'NATS: monitoring URL(s) of the server(s), comma-separated (nats-server -m 8222: http://host:8222); read once at start to warn when JetStream acknowledges writes before they are synced to disk',
      ).env('NATS_MONITOR_URL'),
    )
    .option('--nats-ack-wait <duration>', 'NATS: a message held this long without progress is redelivered', '30s')
    .option('--provenance-max-age <duration>', 'NATS: provenance stream keeps events this long', '24h')
    .option('--provenance-max-bytes <size>', 'NATS: provenance stream keeps at most this much', '1 GB')
    .addOption(
      new Option(
        '--provenance-index <dir>',
        "NATS: this process's on-disk index of the provenance stream (queries, lineage); kept across restarts",
      ).env('SLUICE_PROVENANCE_INDEX'),
    )
    .addOption(
      new Option('--replicas <n>', 'NATS: copies of every stream and bucket created (3 on a three-node cluster)')
        .env('SLUICE_REPLICAS')
        .argParser(parseReplicas)
        .default(1),
    );
}

function parseReplicas(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new InvalidArgumentError('replicas is an integer from 1 to 5');
  return n;
}

/**
 * Connects to NATS (retrying, a line on stderr per failed attempt, until `giveUpAfterMs`), or returns an
 * error message for the caller to print.
 */
export async function openNatsFromCli(
  opts: NatsCliOptions & { nats: string },
  logger: ProcessorLogger,
  giveUpAfterMs: number,
): Promise<NatsBackend | { error: string }> {
  let ackWaitMs: number;
  let maxAgeMs: number;
  let maxBytes: number;
  try {
    ackWaitMs = parseDuration(opts.natsAckWait);
    maxAgeMs = parseDuration(opts.provenanceMaxAge);
    maxBytes = parseSize(opts.provenanceMaxBytes);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const signal = AbortSignal.timeout(giveUpAfterMs);
  let backend: NatsBackend;
  try {
    backend = await NatsBackend.open({
      url: opts.nats,
      logger,
      ackWaitMs,
      provenance: { maxAgeMs, maxBytes, logger, ...(opts.provenanceIndex && { indexDir: opts.provenanceIndex }) },
      replicas: opts.replicas,
      onRetry: (message) => process.stderr.write(`sluice: ${message}\n`),
      signal,
    });
  } catch (err) {
    return { error: (err as Error).message };
  }
  // One line at start when an acknowledged write may not be on disk yet (docs/nats.md); never fails the start.
  await warnIfUnsynced(backend.link, { monitorUrl: opts.natsMonitor }, logger);
  return backend;
}
