/** An error of the provenance repository: what failed, where (the directory) and what to do. */
export function repositoryError(path: string, action: string, err: unknown, cause?: unknown): Error {
  const message = (err as Error)?.message ?? String(err);
  const detail = cause === undefined ? '' : `: ${(cause as Error)?.message ?? String(cause)}`;
  const text = `${message}${detail}`;
  const code = (cause as NodeJS.ErrnoException)?.code ?? (err as NodeJS.ErrnoException)?.code ?? '';
  let hint = '';
  if (code === 'ENOSPC' || code === 'EFBIG' || /MDB_MAP_FULL|ENOSPC|No space left|File too large/i.test(text))
    hint = ' (the disk is full: free space or lower SLUICE_PROVENANCE_MAX_SIZE)';
  else if (['EACCES', 'EPERM', 'EROFS'].includes(code) || /EACCES|EPERM|EROFS|read-only|Permission denied/i.test(text))
    hint = ' (the directory is not writable: fix its permissions or choose another data directory)';
  else if (/Input\/output error|EIO/.test(text)) hint = ' (the disk refused the write: is it full or failing?)';
  return new Error(`provenance repository at ${path}: ${action} failed: ${text}${hint}`, { cause: cause ?? err });
}

/**
 * lmdb-js rejects a failed commit with "Commit failed (see commitError for details)" and the reason in a
 * second promise; this waits briefly for that reason so the message can name it.
 */
export async function commitFailure(err: unknown): Promise<unknown> {
  const pending = (err as { commitError?: Promise<unknown> })?.commitError;
  if (!pending || typeof pending.then !== 'function') return undefined;
  let timer: NodeJS.Timeout | undefined;
  const reason = await Promise.race([
    pending.then(
      () => undefined,
      (reason: unknown) => reason,
    ),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), 1000);
    }),
  ]);
  clearTimeout(timer);
  return reason;
}
