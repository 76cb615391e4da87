/**
 * How hard a commit waits for the disk. The FlowFile, content and provenance repositories share it.
 * - always: every group commit is flushed (fsync) before the session's inputs are acknowledged. Survives a
 *   process crash and a power loss: what a source or ListenHTTP acknowledged is on disk.
 * - batch: a commit is written to the OS (visible, survives a process crash) and flushed right after, in the
 *   background; a power loss can take the last commits (well under a second of work), never corrupts.
 * - none: the OS writes when it likes; survives a process crash; a power loss can lose recent work and can
 *   leave the repository unreadable. For throwaway data only.
 */
export const SYNC_POLICIES = ['always', 'batch', 'none'] as const;
export type SyncPolicy = (typeof SYNC_POLICIES)[number];

export function parseSyncPolicy(value: string | undefined, fallback: SyncPolicy = 'always'): SyncPolicy {
  if (value === undefined || value === '') return fallback;
  if ((SYNC_POLICIES as readonly string[]).includes(value)) return value as SyncPolicy;
  throw new Error(`sync policy "${value}" is not one of ${SYNC_POLICIES.join(', ')}`);
}
