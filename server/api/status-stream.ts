import type { Request, RequestHandler, Response } from 'express';
import type { FlowChange, FlowManager } from '../runtime/flow-manager';
import { sendError } from './http-errors';
import { queryString } from './request';

export const DEFAULT_MAX_EVENT_CLIENTS = 100;
export const DEFAULT_MAX_EVENT_BUFFER = 1024 * 1024;

export interface StatusStreamOptions {
  /** How often the status of every running flow is pushed. */
  intervalMs: number;
  /** How often an SSE comment keeps idle proxies from closing the stream. */
  heartbeatMs: number;
  /** Most concurrent clients; one more gets 503 with Retry-After. */
  maxClients?: number;
  /** Bytes a client may have waiting unsent (not taken by its socket) before it is dropped. */
  maxBufferedBytes?: number;
}

interface Client {
  res: Response;
  /** Only this flow's messages (`?flowId=`); all flows when absent. */
  flowId?: string;
}

/**
 * `GET /api/events`: Server-Sent Events. On connect, one `{type:'status', flowId, status}` per flow; then the
 * status of every running flow each interval, `{type:'flow', flowId, action}` when a flow changes (followed
 * by its status), and heartbeat comments. Each status is serialized once per tick for all clients; a client
 * that is not keeping up skips ticks instead of buffering them, and one whose unsent backlog still passes
 * `maxBufferedBytes` (it stopped reading) is disconnected, so memory per client is bounded. At most
 * `maxClients` streams are open at once.
 */
export class StatusStream {
  private readonly clients = new Set<Client>();
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

  readonly handler: RequestHandler = (req: Request, res: Response) => {
    if (this.clients.size >= (this.options.maxClients ?? DEFAULT_MAX_EVENT_CLIENTS)) {
      res.set('Retry-After', '5');
      sendError(res, 503, `too many event stream clients (${this.clients.size}); retry later`);
      return;
    }
    const client: Client = { res, flowId: queryString(req, 'flowId') || undefined };
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    this.clients.add(client);
    for (const id of this.manager.ids()) if (this.wants(client, id)) this.send(client, this.statusMessage(id));
    const cleanup = () => this.drop(client);
    req.on('close', cleanup);
    res.on('error', cleanup);
    this.startTimers();
  };

  private wants(client: Client, flowId: string): boolean {
    return client.flowId === undefined || client.flowId === flowId;
  }

  private statusMessage(flowId: string): string {
    return `data: ${JSON.stringify({ type: 'status', flowId, status: this.manager.status(flowId) })}\n\n`;
  }

  private send(client: Client, message: string, skipIfBehind = false): void {
    const { res } = client;
    if (res.writableEnded || res.destroyed) {
      this.drop(client);
      return;
    }
    if (skipIfBehind && res.writableNeedDrain) return;
    res.write(message);
    // A client that stopped reading: its backlog would grow with every change; cut it off (it may reconnect).
    if (res.writableLength > (this.options.maxBufferedBytes ?? DEFAULT_MAX_EVENT_BUFFER)) {
      this.drop(client);
      res.destroy();
    }
  }

  private broadcast(flowId: string | undefined, message: string, skipIfBehind: boolean): void {
    for (const client of this.clients)
      if (flowId === undefined || this.wants(client, flowId)) this.send(client, message, skipIfBehind);
  }

  private tick(): void {
    for (const summary of this.manager.list()) {
      if (summary.state !== 'running') continue;
      if (![...this.clients].some((c) => this.wants(c, summary.id))) continue;
      this.broadcast(summary.id, this.statusMessage(summary.id), true);
    }
  }

  private changed(change: FlowChange): void {
    if (this.clients.size === 0) return;
    this.broadcast(change.flowId, `data: ${JSON.stringify({ type: 'flow', ...change })}\n\n`, false);
    if (this.manager.has(change.flowId)) this.broadcast(change.flowId, this.statusMessage(change.flowId), false);
  }

  private startTimers(): void {
    this.ticker ??= setInterval(() => this.tick(), this.options.intervalMs);
    this.heartbeat ??= setInterval(() => this.broadcast(undefined, ': heartbeat\n\n', true), this.options.heartbeatMs);
  }

  private stopTimers(): void {
    clearInterval(this.ticker);
    clearInterval(this.heartbeat);
    this.ticker = undefined;
    this.heartbeat = undefined;
  }

  private drop(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (!client.res.writableEnded) client.res.end();
    if (this.clients.size === 0) this.stopTimers();
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    this.unsubscribe();
    for (const client of [...this.clients]) this.drop(client);
    this.stopTimers();
  }
}
