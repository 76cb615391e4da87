/**
 * `GET /api/flows/:id/taps/stream?connections=a,b`: Server-Sent Events for one flow's debug sidebar. Opening it
 * watches the listed connections and keeps their taps alive while it stays open; it sends
 * `{type:'tap-snapshot', connectionId, entries, skipped, seen}` per watched connection and
 * `{type:'debug-snapshot', entries}` first, then, every `flushMs`, each new tap entry
 * (`{type:'tap', connectionId, entries, skipped, seen}`, never coalesced: the tap's own per-second budget bounds
 * them) and new debug lines (`{type:'debug', entries, dropped}`, at most `maxDebugPerFlush` per flush, the rest
 * counted as dropped), `{type:'tap-ended', connectionId}` when a tap stops, `{type:'debug-cleared'}`. A client
 * that stops reading (more than `maxBufferedBytes` waiting) is cut off; it may reconnect.
 */
import type { Request, Response } from 'express';
import type { DebugEntry } from '../engine/debug-log';
import type { TapEntry } from '../engine/tap';
import type { FlowManager } from '../runtime/flow-manager';
import { getOrInsert } from '../util/maps';
import { sendError } from './http-errors';
import { queryString } from './request';
import { wireDebugEntry, wireTapEntry, wireTapSnapshot } from './tap-wire';

export interface TapStreamOptions {
  flushMs: number;
  /** How often an open stream keeps its taps alive (well within the taps' idle time). */
  keepAliveMs: number;
  maxClients: number;
  maxBufferedBytes: number;
  maxDebugPerFlush: number;
}

const DEFAULTS: TapStreamOptions = {
  flushMs: 200,
  keepAliveMs: 5000,
  maxClients: 50,
  maxBufferedBytes: 1024 * 1024,
  maxDebugPerFlush: 100,
};

interface Client {
  end(): void;
}

export class TapStream {
  private readonly clients = new Set<Client>();
  private readonly options: TapStreamOptions;

  constructor(
    private readonly manager: FlowManager,
    options: Partial<TapStreamOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** `showContent`: the caller may see FlowFile content (tap previews, debug content). */
  open(req: Request<{ id: string }>, res: Response, showContent: boolean): void {
    const flowId = req.params.id;
    if (this.clients.size >= this.options.maxClients) {
      res.set('Retry-After', '5');
      sendError(res, 503, `too many tap stream clients (${this.clients.size}); retry later`);
      return;
    }
    const wanted = (queryString(req, 'connections') ?? '').split(',').filter((c) => c !== '');
    const taps = this.manager.taps(flowId);
    const debugLog = this.manager.debugLog(flowId);
    for (const c of wanted) this.manager.taps(flowId, c); // 404 for a connection the flow does not have
    const watched = new Set(wanted);
    for (const c of watched) taps.watch(c);

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const send = (message: object) => res.write(`data: ${JSON.stringify(message)}\n\n`);
    res.write('retry: 2000\n\n');
    for (const c of watched) {
      const tap = taps.get(c);
      if (tap) send({ type: 'tap-snapshot', ...wireTapSnapshot(tap.snapshot(), showContent) });
    }
    send({
      type: 'debug-snapshot',
      entries: debugLog.entries({ limit: 100 }).map((e) => wireDebugEntry(e, showContent)),
    });

    const pendingTap = new Map<string, TapEntry[]>();
    const ended = new Set<string>();
    let pendingDebug: DebugEntry[] = [];
    let droppedDebug = 0;
    let cleared = false;
    const offTap = taps.listen((connectionId, entry, end) => {
      if (!watched.has(connectionId)) return;
      if (end) {
        watched.delete(connectionId);
        pendingTap.delete(connectionId);
        ended.add(connectionId);
      } else if (entry) {
        getOrInsert(pendingTap, connectionId, () => []).push(entry);
      }
    });
    const offDebug = debugLog.listen((entry) => {
      if (!entry) {
        cleared = true;
        pendingDebug = [];
        droppedDebug = 0;
        return;
      }
      pendingDebug.push(entry);
      // Keep the newest only: a flow logging thousands of lines a second must not grow this buffer.
      if (pendingDebug.length > this.options.maxDebugPerFlush * 2) {
        const cut = pendingDebug.length - this.options.maxDebugPerFlush;
        droppedDebug += cut;
        pendingDebug = pendingDebug.slice(cut);
      }
    });

    const flush = () => {
      if (res.writableEnded || res.destroyed) return client.end();
      if (cleared) {
        send({ type: 'debug-cleared' });
        cleared = false;
      }
      for (const c of ended) send({ type: 'tap-ended', connectionId: c });
      ended.clear();
      for (const [connectionId, entries] of pendingTap) {
        const tap = taps.get(connectionId);
        send({
          type: 'tap',
          connectionId,
          skipped: tap?.skipped ?? 0,
          seen: tap?.seen ?? 0,
          entries: entries.reverse().map((e) => wireTapEntry(e, showContent)),
        });
      }
      pendingTap.clear();
      if (pendingDebug.length > 0) {
        const cut = Math.max(0, pendingDebug.length - this.options.maxDebugPerFlush);
        send({
          type: 'debug',
          dropped: droppedDebug + cut,
          entries: pendingDebug
            .slice(cut)
            .reverse()
            .map((e) => wireDebugEntry(e, showContent)),
        });
        pendingDebug = [];
        droppedDebug = 0;
      }
      if (res.writableLength > this.options.maxBufferedBytes) {
        res.destroy();
        client.end();
      }
    };
    const flusher = setInterval(flush, this.options.flushMs);
    const keeper = setInterval(() => {
      taps.touch(watched);
      res.write(': keep-alive\n\n');
    }, this.options.keepAliveMs);
    // The flow went away or got a new engine (its taps are others now): end; the browser reconnects.
    const offChange = this.manager.onChange((change) => {
      if (change.flowId !== flowId) return;
      if (!this.manager.has(flowId) || this.currentTaps(flowId) !== taps) client.end();
    });
    const client: Client = {
      end: () => {
        if (!this.clients.delete(client)) return;
        clearInterval(flusher);
        clearInterval(keeper);
        offTap();
        offDebug();
        offChange();
        if (!res.writableEnded) res.end();
      },
    };
    this.clients.add(client);
    req.on('close', () => client.end());
    res.on('close', () => client.end());
    res.on('error', () => client.end());
  }

  private currentTaps(flowId: string) {
    try {
      return this.manager.taps(flowId);
    } catch {
      return undefined;
    }
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    for (const client of [...this.clients]) client.end();
  }
}
