import type { Request, RequestHandler, Response } from 'express';
import type { FlowChange, FlowManager } from '../runtime/flow-manager';
import { ClientOutbox } from './client-outbox';
import { sendError } from './http-errors';
import { queryString } from './request';

export const DEFAULT_MAX_EVENT_CLIENTS = 100;
export const DEFAULT_MAX_EVENT_BUFFER = 1024 * 1024;
/**
 * Often enough that a browser can tell within seconds that the stream went quiet (the UI calls it late after 2.5
 * heartbeats of silence), and far more often than proxies close an idle connection; ~60 bytes a beat.
 */
export const DEFAULT_HEARTBEAT_MS = 2000;

export interface StatusStreamOptions {
  /** How often the status of every running flow is pushed (when it changed). */
  intervalMs: number;
  /** How often a `{type:'heartbeat'}` message tells clients the stream is alive (and keeps proxies from closing it). */
  heartbeatMs: number;
  /** Most concurrent clients; one more gets 503 with Retry-After. */
  maxClients?: number;
  /**
   * Bytes a client may have waiting in its socket plus bytes offered to it since its socket last drained, before
   * it is taken for a client that stopped reading and dropped.
   */
  maxBufferedBytes?: number;
}

interface Client {
  res: Response;
  outbox: ClientOutbox;
  /** Only this flow's messages (`?flowId=`); all flows when absent. */
  flowId?: string;
  /** Status messages only of this flow, `flow` changes of every flow (`?statusOf=`: the canvas of one flow). */
  statusOf?: string;
}

/** A flow's status as last serialized for the wire (without its time) and the version naming that content. */
interface Snapshot {
  body: string;
  version: number;
}

/**
 * `GET /api/events`: Server-Sent Events. On connect, one `{type:'status', flowId, status}` per flow; then the
 * status of each running flow every interval when it changed since that client was last sent it (a stopped or
 * idle flow is not re-sent every tick), `{type:'flow', flowId, action}` when a flow changes (always followed by
 * its status), and `{type:'heartbeat', time, intervalMs}` every heartbeat interval, which lets a browser tell a
 * stream that went quiet from one that is merely idle (SSE comments are invisible to EventSource).
 *
 * Each status is serialized once per tick for all clients. Each client has a coalescing outbox
 * (client-outbox.ts): while its socket is behind, a flow's newer snapshot replaces the waiting one, and waiting
 * flows are written oldest first once the socket drains, so a slow client gets every flow's latest status late
 * rather than some flows never; `flow` changes are never dropped and keep their order before the flow's status.
 * A client offered more than `maxBufferedBytes` without its socket draining (it stopped reading) is
 * disconnected. At most `maxClients` streams are open at once.
 */
export class StatusStream {
  private readonly clients = new Set<Client>();
  private readonly snapshots = new Map<string, Snapshot>();
  /** One counter for all flows: a flow deleted and created again never reuses a version a client holds. */
  private version = 0;
  private ticker: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly manager: FlowManager,
    private readonly options: StatusStreamOptions,
  ) {
    this.unsubscribe = manager.onChange((change) => this.changed(change));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Flows with a message waiting for a slow client, over all clients (at most one snapshot each). */
  get pendingFlows(): number {
    let n = 0;
    for (const client of this.clients) n += client.outbox.pendingFlows;
    return n;
  }

  readonly handler: RequestHandler = (req: Request, res: Response) => {
    if (this.clients.size >= (this.options.maxClients ?? DEFAULT_MAX_EVENT_CLIENTS)) {
      res.set('Retry-After', '5');
      sendError(res, 503, `too many event stream clients (${this.clients.size}); retry later`);
      return;
    }
    const flowId = queryString(req, 'flowId') || undefined;
    const statusOf = queryString(req, 'statusOf') || undefined;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const maxBytes = this.options.maxBufferedBytes ?? DEFAULT_MAX_EVENT_BUFFER;
    const client: Client = {
      res,
      flowId,
      statusOf,
      outbox: new ClientOutbox(res, maxBytes, (why) => this.drop(client, why === 'overflow')),
    };
    this.clients.add(client);
    for (const id of this.manager.ids()) if (this.wantsStatus(client, id)) this.sendStatus(client, id);
    const cleanup = () => this.drop(client, false);
    req.on('close', cleanup);
    res.on('error', cleanup);
    this.startTimers();
  };

  private wantsChange(client: Client, flowId: string): boolean {
    return client.flowId === undefined || client.flowId === flowId;
  }

  private wantsStatus(client: Client, flowId: string): boolean {
    return this.wantsChange(client, flowId) && (client.statusOf === undefined || client.statusOf === flowId);
  }

  /** The flow's status now, as an SSE message, and its version (a new one only when its content changed). */
  private snapshot(flowId: string): { version: number; message: string } {
    const { time, ...rest } = this.manager.status(flowId);
    const body = JSON.stringify(rest);
    let known = this.snapshots.get(flowId);
    if (known?.body !== body) {
      known = { body, version: ++this.version };
      this.snapshots.set(flowId, known);
    }
    // The time goes back in front of the same serialization: a snapshot differing only in time is unchanged.
    const status = body === '{}' ? `{"time":${time}}` : `{"time":${time},${body.slice(1)}`;
    return {
      version: known.version,
      message: `data: {"type":"status","flowId":${JSON.stringify(flowId)},"status":${status}}\n\n`,
    };
  }

  private sendStatus(client: Client, flowId: string): void {
    const { version, message } = this.snapshot(flowId);
    client.outbox.status(flowId, version, message);
  }

  private tick(): void {
    for (const summary of this.manager.list()) {
      if (summary.state !== 'running') continue;
      const wanting = [...this.clients].filter((c) => this.wantsStatus(c, summary.id));
      if (wanting.length === 0) continue;
      const { version, message } = this.snapshot(summary.id);
      for (const client of wanting) client.outbox.status(summary.id, version, message);
    }
  }

  private changed(change: FlowChange): void {
    if (this.clients.size === 0) return;
    const gone = !this.manager.has(change.flowId);
    if (gone) this.snapshots.delete(change.flowId);
    const message = `data: ${JSON.stringify({ type: 'flow', ...change })}\n\n`;
    const status = gone ? undefined : this.snapshot(change.flowId);
    for (const client of [...this.clients]) {
      if (!this.wantsChange(client, change.flowId)) continue;
      client.outbox.change(change.flowId, message, gone);
      if (status && this.wantsStatus(client, change.flowId))
        client.outbox.status(change.flowId, status.version, status.message);
    }
  }

  private beat(): void {
    const { heartbeatMs } = this.options;
    const message = `data: ${JSON.stringify({ type: 'heartbeat', time: Date.now(), intervalMs: heartbeatMs })}\n\n`;
    for (const client of [...this.clients]) client.outbox.beat(message);
  }

  private startTimers(): void {
    this.ticker ??= setInterval(() => this.tick(), this.options.intervalMs);
    this.heartbeat ??= setInterval(() => this.beat(), this.options.heartbeatMs);
  }

  private stopTimers(): void {
    clearInterval(this.ticker);
    clearInterval(this.heartbeat);
    this.ticker = undefined;
    this.heartbeat = undefined;
  }

  private drop(client: Client, destroy: boolean): void {
    if (!this.clients.delete(client)) return;
    if (!client.res.writableEnded) client.res.end();
    if (destroy) client.res.destroy();
    if (this.clients.size === 0) {
      this.stopTimers();
      this.snapshots.clear();
    }
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    this.unsubscribe();
    for (const client of [...this.clients]) this.drop(client, false);
    this.stopTimers();
  }
}
