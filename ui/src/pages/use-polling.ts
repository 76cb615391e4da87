/**
 * Polls a loader while the page is shown: at once, then `intervalMs` after each answer (never two at a time).
 * Keeps the last answer through a failed poll, and says why it failed.
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';

export interface Polled<T> {
  data: T | undefined;
  /** Why the last poll failed (cleared by the next answer). */
  error: string | undefined;
}

export function usePolling<T>(load: () => Promise<T>, intervalMs: number, key = ''): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined });
  const loader = useRef(load);
  loader.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` restarts the polling (new filters)
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const data = await loader.current();
        if (!stopped) setState({ data, error: undefined });
      } catch (err) {
        if (!stopped && !(err instanceof ApiError && err.status === 401))
          setState((s) => ({ data: s.data, error: (err as Error).message }));
      }
      if (!stopped) timer = setTimeout(poll, intervalMs);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [intervalMs, key]);

  return state;
}
