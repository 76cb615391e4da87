/**
 * The bulletin board as the page shows it: the newest bulletins that match the filters, then every two seconds
 * only what is new (`after` the newest id seen), added on top. New filters start over.
 */
import { useEffect, useState } from 'react';
import { ApiError, api, type BulletinQuery } from '../api/client';
import type { LocatedBulletin } from '../api/types';

const POLL_MS = 2000;
/** Most bulletins kept on the page (the board keeps 5,000). */
export const SHOWN_MAX = 1000;

export interface BoardState {
  bulletins: LocatedBulletin[];
  loading: boolean;
  error?: string;
  /** More matched the first load than it fetched. */
  truncated: boolean;
}

export function useBulletins(filters: Omit<BulletinQuery, 'after' | 'limit'>): BoardState {
  const [state, setState] = useState<BoardState>({ bulletins: [], loading: true, truncated: false });
  const { flowId, processorId, level, q } = filters;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let after: number | undefined;
    let shown: LocatedBulletin[] = [];
    let truncated = false;
    setState({ bulletins: [], loading: true, truncated: false });
    const poll = async () => {
      try {
        const page = await api.bulletins({ flowId, processorId, level, q, after, limit: SHOWN_MAX });
        if (stopped) return;
        if (after === undefined) truncated = page.truncated;
        if (after === undefined || page.bulletins.length > 0) {
          shown = [...page.bulletins, ...shown].slice(0, SHOWN_MAX);
          setState({ bulletins: shown, loading: false, truncated });
        }
        after = page.lastId;
      } catch (err) {
        if (stopped) return;
        if (!(err instanceof ApiError && err.status === 401))
          setState({ bulletins: shown, loading: false, truncated, error: (err as Error).message });
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [flowId, processorId, level, q]);

  return state;
}
