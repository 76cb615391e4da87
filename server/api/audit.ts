/**
 * The audit log: one JSON line per state-changing request and per login attempt, appended to
 * `<data>/audit.log`, and read back newest first by `GET /api/audit` (admin).
 */
import { appendFile, open } from 'node:fs/promises';
import { type Request, Router } from 'express';
import { queryInt } from './request';
import { allow, type Principal } from './roles';

export interface AuditEntry {
  time: string;
  /** null: a server without authentication. "(server token)": the shared --token. */
  username: string | null;
  role: string | null;
  /** `login` and `logout`, or the HTTP method of a request. */
  action: string;
  method: string;
  path: string;
  flowId?: string;
  status: number;
  ip?: string;
}

export class AuditLog {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Appends in call order; a failed write is reported, never thrown at the request. */
  append(entry: AuditEntry): Promise<void> {
    this.chain = this.chain
      .then(() => appendFile(this.file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600 }))
      .catch(this.onError);
    return this.chain;
  }

  recordRequest(req: Request, principal: Principal, status: number, action: string = req.method): Promise<void> {
    const id = req.params?.id ?? (req.body as { id?: unknown } | undefined)?.id;
    return this.append({
      time: new Date().toISOString(),
      username: principal.username,
      role: principal.role,
      action,
      method: req.method,
      path: `${req.baseUrl}${req.path}`,
      ...(typeof id === 'string' && { flowId: id }),
      status,
      ip: req.ip,
    });
  }

  /** Waits for the writes queued so far. */
  flush(): Promise<void> {
    return this.chain;
  }

  /** The newest `limit` entries, newest first; reads the file from its end. */
  async tail(limit: number): Promise<AuditEntry[]> {
    await this.flush();
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    try {
      const { size } = await handle.stat();
      const chunk = 64 * 1024;
      let position = size;
      let text = '';
      let lines: string[] = [];
      while (position > 0) {
        const length = Math.min(chunk, position);
        position -= length;
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, position);
        text = buffer.toString('utf8') + text;
        lines = text.split('\n').filter(Boolean);
        // The first line may be cut in the middle unless the whole file was read.
        if (lines.length > limit + 1) break;
      }
      const whole = position === 0 ? lines : lines.slice(1);
      return whole
        .slice(-limit)
        .reverse()
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as AuditEntry];
          } catch {
            return [];
          }
        });
    } finally {
      await handle.close();
    }
  }
}

/** `GET /audit?limit=` (admin): the newest entries first (default 100, at most 10,000). */
export function auditRoutes(audit: AuditLog): Router {
  const router = Router();
  router.get('/audit', allow('admin'), async (req, res) => {
    res.json(await audit.tail(queryInt(req, 'limit', 1, 10_000, 100)));
  });
  return router;
}
