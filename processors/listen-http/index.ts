import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Attributes, checkListenerHost, defineProcessor, type HttpHandler, type HttpMount, size } from '../../sdk';
import {
  answer,
  BodyTooLargeError,
  DEFAULT_HEADER_PATTERN,
  isCrossOrigin,
  OverBudgetError,
  readBody,
  requestAttributes,
} from './request';

interface PendingRequest {
  body: Buffer;
  attributes: Attributes;
  res: ServerResponse;
  transitUri: string;
  /** Gives its bytes back to the budget (once answered). */
  release: () => void;
}

interface ListenState {
  pending: PendingRequest[];
  /** Requests whose body is being read: they count against maxPendingRequests too. */
  reading: number;
  /** Bytes held by bodies being read or pending, against maxPendingSize. */
  heldBytes: number;
  closed: boolean;
  /** The engine's backpressure check, captured at the first trigger. */
  backPressured: () => boolean;
  handler: HttpHandler;
  /** The mount on the server's port (port 0). */
  mount?: HttpMount;
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
      maxBodySize: size('Larger bodies are refused with 413.', '10 MB'),
      maxPendingRequests: {
        type: 'integer',
        minimum: 1,
        maximum: 100000,
        default: 1000,
        description: 'Requests being read or received but not yet committed; beyond this new ones get 503.',
      },
      maxPendingSize: size(
        'Bytes of bodies being read or not yet committed, all requests together; beyond this new ones get 503 (never a reset).',
        '100 MB',
      ),
      headersAsAttributes: {
        type: 'string',
        default: DEFAULT_HEADER_PATTERN,
        description:
          'Regular expression (case-insensitive) of the request header names kept as http.headers.<name> attributes. Authorization, Proxy-Authorization and Cookie are never kept.',
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
        'One FlowFile per request: http.method, http.path, http.request.uri, http.query.<name>, http.headers.<name> (headers matching headersAsAttributes), http.remote.addr, mime.type.',
    },
  ],
  validate(config, ctx) {
    const issues = config.port === 0 ? [] : checkListenerHost(config.host, '/host', ctx);
    if (config.maxBodySize > config.maxPendingSize)
      issues.push({
        path: '/maxPendingSize',
        message: 'must be at least maxBodySize, or a largest body could never be taken',
      });
    try {
      new RegExp(config.headersAsAttributes, 'i');
    } catch (err) {
      issues.push({ path: '/headersAsAttributes', message: `not a regular expression: ${(err as Error).message}` });
    }
    return issues;
  },
  async setup(config, ctx): Promise<ListenState> {
    const maxBytes = config.maxBodySize;
    const budget = config.maxPendingSize;
    const headerPattern = new RegExp(config.headersAsAttributes, 'i');
    const keepHeader = (name: string) => headerPattern.test(name);
    const mountPrefix = `/listen/${encodeURIComponent(ctx.processorId)}`;
    const wantedPath = normalize(config.path);
    const state: ListenState = {
      pending: [],
      reading: 0,
      heldBytes: 0,
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
      if (isCrossOrigin(req))
        return answer(res, 403, { error: `cross-origin request refused: Origin "${req.headers.origin}"` });
      if (state.closed) return busy(res, 'the processor is stopping');
      if (state.backPressured()) return busy(res, 'the flow is backpressured; retry later');
      if (state.reading + state.pending.length >= config.maxPendingRequests)
        return busy(res, 'too many pending requests');
      // The body's bytes are reserved before they are kept: up front when the length is declared, else per chunk.
      // A refusal is answered without `Connection: close`, so Node drains the rest: the client reads a 503,
      // never a reset.
      let held = 0;
      const reserve = (bytes: number) => {
        if (state.heldBytes + bytes > budget) return false;
        state.heldBytes += bytes;
        held += bytes;
        return true;
      };
      const release = () => {
        state.heldBytes -= held;
        held = 0;
      };
      const declared = Number(req.headers['content-length']);
      const upFront = Number.isFinite(declared) && declared <= maxBytes ? declared : 0;
      if (!reserve(upFront)) return busy(res, 'the listener holds too many bytes; retry later');
      let used = 0;
      const reserveChunk = (bytes: number) => {
        used += bytes;
        return used <= held || reserve(used - held);
      };
      state.reading++;
      readBody(req, maxBytes, reserveChunk).then(
        (body) => {
          state.reading--;
          if (state.closed) {
            release();
            return busy(res, 'the processor is stopping');
          }
          const transitUri = `http://${req.headers.host ?? 'unknown-host'}${url.pathname}`;
          state.pending.push({
            body,
            attributes: requestAttributes(req, url.pathname, url.searchParams, keepHeader),
            res,
            transitUri,
            release,
          });
          ctx.wake();
        },
        (err: Error) => {
          state.reading--;
          release();
          if (err instanceof BodyTooLargeError) {
            answer(res, 413, { error: err.message }, { connection: 'close' });
            req.resume();
          } else if (err instanceof OverBudgetError) {
            busy(res, err.message);
            req.resume();
          } else res.destroy();
        },
      );
    };

    if (config.port === 0) {
      state.mount = ctx.mountHttp(state.handler);
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
        request.release();
        answer(request.res, 200, { flowFileId: ids[i] });
      });
    });
    session.afterRollback(() => {
      for (const request of batch) {
        request.release();
        answer(request.res, 500, { error: 'the FlowFile could not be committed; retry' });
      }
    });
  },
  async teardown(state) {
    state.closed = true;
    for (const request of state.pending.splice(0)) {
      request.release();
      answer(request.res, 503, { error: 'the processor stopped' }, { 'retry-after': '1' });
    }
    if (state.server) {
      const server = state.server;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    } else state.mount?.unmount();
  },
});
