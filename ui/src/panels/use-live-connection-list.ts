import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';

/**
 * What a connection drawer lists (its queue, its quarantine): fetched now and again whenever `liveCount`
 * (the live status figure) changes, or on `reload()`. Only the latest answer may fill it, not an earlier one
 * arriving late. `fetch` must be stable (useCallback over the flow and connection). `reload()` resolves to its
 * answer, or null when it failed or a later request overtook it.
 */
export function useLiveConnectionList<T>(
  fetch: () => Promise<T>,
  liveCount: number | undefined,
): { data: T | null; error: string | null; reload: () => Promise<T | null> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const reload = useCallback(async (): Promise<T | null> => {
    const request = ++latest.current;
    try {
      const answer = await fetch();
      if (request !== latest.current) return null;
      setData(answer);
      setError(null);
      return answer;
    } catch (err) {
      if (request !== latest.current) return null;
      setError(
        err instanceof ApiError && err.status === 404
          ? 'This connection is not saved on the server yet.'
          : (err as Error).message,
      );
      return null;
    }
  }, [fetch]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the live figure changes
  useEffect(() => {
    void reload();
  }, [reload, liveCount]);

  return { data, error, reload };
}
