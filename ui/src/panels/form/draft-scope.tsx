/** One DraftQueue per panel, shared by every field in it; a field outside a scope gets a queue of its own. */
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { DraftQueue } from './draft-queue';

const DraftQueueContext = createContext<DraftQueue | null>(null);

/** Wrap a panel's form in one: its pending edits are committed (in order) when the panel goes. */
export function DraftScope({ children }: { children: ReactNode }) {
  const [queue] = useState(() => new DraftQueue());
  useEffect(() => () => queue.flush(), [queue]);
  return <DraftQueueContext.Provider value={queue}>{children}</DraftQueueContext.Provider>;
}

export function useDraftQueue(): DraftQueue {
  const scoped = useContext(DraftQueueContext);
  const [own] = useState(() => (scoped ? null : new DraftQueue()));
  return scoped ?? own!;
}
