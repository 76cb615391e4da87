import { parseDuration, parseSize } from '../../engine/units';

/** How much provenance the repository on disk keeps: NiFi's defaults, 30 days and 10 GB. */
export interface RepositoryRetention {
  /** Events older than this (ms) are evicted. */
  maxAgeMs: number;
  /** Bytes written (records and index entries) beyond this evict the oldest batches. */
  maxBytes: number;
}

export const DEFAULT_REPOSITORY_RETENTION: RepositoryRetention = {
  maxAgeMs: 30 * 24 * 60 * 60 * 1000,
  maxBytes: 10 * 1024 ** 3,
};

/**
 * Retention from the environment: SLUICE_PROVENANCE_MAX_AGE (a duration such as "30 days" or "12h") and
 * SLUICE_PROVENANCE_MAX_SIZE (a size such as "10 GB", 1024-based), each falling back to the default.
 * A value that does not parse throws, naming the variable: a typo must not silently keep 30 days.
 */
export function repositoryRetentionFromEnv(env: NodeJS.ProcessEnv = process.env): RepositoryRetention {
  return {
    maxAgeMs: fromEnv(env, 'SLUICE_PROVENANCE_MAX_AGE', parseDuration, DEFAULT_REPOSITORY_RETENTION.maxAgeMs),
    maxBytes: fromEnv(env, 'SLUICE_PROVENANCE_MAX_SIZE', parseSize, DEFAULT_REPOSITORY_RETENTION.maxBytes),
  };
}

function fromEnv(env: NodeJS.ProcessEnv, name: string, parse: (text: string) => number, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  let value: number;
  try {
    value = parse(text);
  } catch (err) {
    throw new Error(`${name}="${text}" is not valid: ${(err as Error).message}`);
  }
  if (!(value > 0)) throw new Error(`${name}="${text}" must be greater than zero`);
  return value;
}
