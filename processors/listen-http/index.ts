import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sizePattern } from '../../flows/flow-schema';
import { defineProcessor } from '../../server/engine/contract';
import type { Attributes } from '../../server/engine/flowfile';
import { parseSize } from '../../server/engine/units';
import {
  type HttpListenerHandler,
  registerHttpListener,
  unregisterHttpListener,
} from '../../server/runtime/http-listeners';
import { answer, BodyTooLargeError, readBody, requestAttributes } from './request';

interface PendingRequest {
  body: Buffer;
  attributes: Attributes;
  res: ServerResponse;
  transitUri: string;
}

interface ListenState {
  pending: PendingRequest[];
  closed: boolean;
  /** The engine's backpressure check, captured at the first trigger. */
  backPressured: () => boolean;
  handler: HttpListenerHandler;
  server?: Server;
  /** Where clients send requests: http://host:port/path, or /listen/<id>/path when mounted. */
  url: string;
}

function normalize(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export default defineProcessor({
  type: 'ListenHTTP',
  category: 'source',
  description:
    'An HTTP endpoint: each POST body becomes a FlowFile with http.* attributes. Answers 200 once the FlowFile is committed, 503 with Retry-After while the outgoing connection is backpressured, so clients retry and backpressure reaches the edge.',
  input: 'forbidden',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      port: {
        type: 'integer',
        minimum: 0,
        maximum: 65535,
        default: 0,
        description: 'Port of its own HTTP server; 0 = mounted under the Sluice server at /listen/<processor id>.',
      },
      host: {
        type: 'string',
        minLength: 1,
        default: '127.0.0.1',
        description: 'Interface its own server binds (ignored when mounted).',
      },
      path: {
        type: 'string',
        pattern: '^/',
        default: '/',
        description: 'Path requests must use (below /listen/<processor id> when mounted); others get 404.',
      },
      maxBodySize: {
        type: 'string',
        pattern: sizePattern,
        default: '10 MB',
        description: 'Larger bodies are refused with 413.',
      },
      maxPendingRequests: {
        type: 'integer',
        minimum: 1,
        maximum: 100000,
        default: 1000,
        description: 'Requests received but not yet committed; beyond this new ones get 503.',
      },
      retryAfter: {
        type: 'integer',
        minimum: 1,
        maximum: 3600,
        default: 1,
        description: 'Seconds sent in the Retry-After header of a 503.',
      },
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100, description: 'Requests per session.' },
    },
  },
  relationships: [
    {
      name: 'success',
      description:
        'One FlowFile per request: http.method, http.path, http.request.uri, http.query.<name>, http.headers.<name>, http.remote.addr, mime.type.',
    },
  ],
  async setup(config, ctx): Promise<ListenState> {
    const maxBytes = parseSize(config.maxBodySize);
    const mountPrefix = `/listen/${encodeURIComponent(ctx.processorId)}`;
    const wantedPath = normalize(config.path);
    const state: ListenState = {
      pending: [],
      closed: false,
      backPressured: () => false,
      handler: () => {},
      url: '',
    };
    const busy = (res: ServerResponse, reason: string) =>
      answer(res, 503, { error: reason }, { 'retry-after': String(config.retryAfter) });

    state.handler = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://listener');
      let path = url.pathname;
      if (config.port === 0 && (path === mountPrefix || path.startsWith(`${mountPrefix}/`)))
        path = path.slice(mountPrefix.length);
      if (normalize(path) !== wantedPath) return answer(res, 404, { error: `no listener at ${url.pathname}` });
      if (req.method !== 'POST') return answer(res, 405, { error: 'only POST is accepted' }, { allow: 'POST' });
      if (state.closed) return busy(res, 'the processor is stopping');
      if (state.backPressured()) return busy(res, 'the flow is backpressured; retry later');
      if (state.pending.length >= config.maxPendingRequests) return busy(res, 'too many pending requests');
      readBody(req, maxBytes).then(
        (body) => {
          if (state.closed) return busy(res, 'the processor is stopping');
          const transitUri = `http://${req.headers.host ?? 'unknown-host'}${url.pathname}`;
          state.pending.push({
            body,
            attributes: requestAttributes(req, url.pathname, url.searchParams),
            res,
            transitUri,
          });
          ctx.wake();
        },
        (err: Error) => {
          if (err instanceof BodyTooLargeError) {
            answer(res, 413, { error: err.message }, { connection: 'close' });
            req.resume();
          } else res.destroy();
        },
      );
    };

    if (config.port === 0) {
      registerHttpListener(ctx.processorId, state.handler);
      state.url = `${mountPrefix}${wantedPath === '/' ? '' : wantedPath}`;
    } else {
      const server = createServer(state.handler);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      state.server = server;
      const address = server.address() as AddressInfo;
      state.url = `http://${address.address}:${address.port}${wantedPath}`;
    }
    ctx.logger.info({ processor: ctx.processorId, url: state.url }, 'ListenHTTP is listening');
    return state;
  },
  onTrigger(session, ctx) {
    const { state, config } = ctx;
    state.backPressured = ctx.isBackPressured;
    const batch = state.pending.splice(0, config.batchSize);
    if (batch.length === 0) return;
    const ids: string[] = [];
    for (const request of batch) {
      const ff = session.create({ content: request.body, attributes: request.attributes });
      session.reportReceive(ff, request.transitUri, `from ${request.attributes['http.remote.addr']}`);
      session.transfer(ff, 'success');
      ids.push(ff.id);
    }
    session.afterCommit(() => {
      batch.forEach((request, i) => {
        answer(request.res, 200, { flowFileId: ids[i] });
      });
    });
    session.afterRollback(() => {
      for (const request of batch) answer(request.res, 500, { error: 'the FlowFile could not be committed; retry' });
    });
  },
  async teardown(state, ctx) {
    state.closed = true;
    for (const request of state.pending.splice(0))
      answer(request.res, 503, { error: 'the processor stopped' }, { 'retry-after': '1' });
    if (state.server) {
      const server = state.server;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    } else unregisterHttpListener(ctx.processorId, state.handler);
  },
});
