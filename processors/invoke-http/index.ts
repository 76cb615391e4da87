import {
  type Attributes,
  defineProcessor,
  duration,
  type FlowFile,
  failWith,
  type ProcessSession,
  serviceReference,
  size,
} from '../../sdk';
import { HTTP_CLIENT, type HttpClientService } from '../../services/http-client';
import { expressionLimitProperties, limitsOf } from '../bounded/jsonata';
import { checkRegexes, compileRegex } from '../bounded/regex';
import {
  type CompiledExpression,
  checkExpressions,
  compileExpression,
  pointer,
  toAttributeValue,
} from '../expressions';
import { errorText } from '../text';
import { type CallResult, call, ResponseTooLargeError, TransportError } from './call';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Prepared {
  url: URL;
  headers: Headers;
  body?: Buffer;
}

async function prepare(
  ff: FlowFile,
  config: { method: string; sendBody: boolean; contentType: string },
  state: { url: CompiledExpression; headers: { name: string; expr: CompiledExpression }[]; forward?: RegExp },
): Promise<Prepared> {
  const target = toAttributeValue(await state.url.evaluate(ff));
  if (!target) throw new Error(`the url expression produced no value: ${state.url.source}`);
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(target)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`not an http(s) URL: ${target}`);
  const headers = new Headers();
  if (state.forward)
    for (const [name, value] of Object.entries(ff.attributes)) if (state.forward.test(name)) headers.set(name, value);
  for (const h of state.headers) {
    const value = toAttributeValue(await h.expr.evaluate(ff));
    if (value !== undefined) headers.set(h.name, value);
  }
  let body: Buffer | undefined;
  if (config.sendBody && BODY_METHODS.has(config.method)) {
    body = ff.content;
    if (!headers.has('content-type'))
      headers.set('content-type', config.contentType || ff.attributes['mime.type'] || 'application/octet-stream');
  }
  return { url, headers, body };
}

function responseAttributes(result: CallResult, requestUrl: URL): Attributes {
  return {
    'invokehttp.status.code': String(result.status),
    'invokehttp.status.message': result.statusText,
    'invokehttp.request.url': requestUrl.href,
    'invokehttp.response.url': result.url || requestUrl.href,
  };
}

function route(
  session: ProcessSession,
  ff: FlowFile,
  prepared: Prepared,
  result: CallResult,
  alwaysOutputResponse: boolean,
): void {
  const attributes = responseAttributes(result, prepared.url);
  const ok = result.status >= 200 && result.status < 300;
  if (ok || alwaysOutputResponse) {
    const headers: Attributes = {};
    result.headers.forEach((value, name) => {
      headers[`invokehttp.header.${name}`] = value;
    });
    const type = result.headers.get('content-type');
    const response = session.create({
      parents: [ff],
      content: result.body,
      attributes: { ...attributes, ...headers, ...(type ? { 'mime.type': type.split(';')[0]!.trim() } : {}) },
    });
    session.reportFetch(response, prepared.url.href);
    session.transfer(response, 'response');
  }
  if (prepared.body) session.reportSend(ff, prepared.url.href);
  const relationship = ok ? 'success' : result.status >= 500 ? 'retry' : 'no retry';
  session.transfer(session.putAttributes(ff, attributes), relationship);
}

export default defineProcessor({
  type: 'InvokeHTTP',
  category: 'sink',
  description:
    'Calls an HTTP endpoint per FlowFile (URL and headers from JSONata expressions, the content as body) and routes by outcome: success, retry (5xx, connection errors, timeouts), no retry (other statuses), with the response body as a new FlowFile.',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      method: {
        enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
        default: 'POST',
        description: 'HTTP method.',
      },
      url: {
        type: 'string',
        minLength: 1,
        'x-format': 'jsonata',
        default: '"http://127.0.0.1:8080/"',
        description:
          'JSONata expression giving the URL; a literal URL needs quotes: "\\"https://api.example.com/orders\\"", or build it: "https://api.example.com/orders/" & attributes.id.',
      },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string', 'x-format': 'jsonata' },
        default: {},
        description: 'Header name → JSONata expression for its value (no value = header not sent).',
      },
      attributesToSend: {
        type: 'string',
        default: '',
        description: 'Regular expression: attributes whose names match are sent as headers ("" = none).',
      },
      sendBody: {
        type: 'boolean',
        default: true,
        description: 'Send the content as the request body (POST, PUT, PATCH, DELETE).',
      },
      contentType: {
        type: 'string',
        default: '',
        description: 'Content-Type of the body; "" = the mime.type attribute, else application/octet-stream.',
      },
      timeout: duration('Longest wait for the whole exchange; a timeout routes to retry.', '30s'),
      followRedirects: {
        type: 'boolean',
        default: true,
        description: 'Follow 3xx redirects; off, a 3xx routes to no retry.',
      },
      alwaysOutputResponse: {
        type: 'boolean',
        default: false,
        description: 'Also emit the response body for non-2xx statuses (by default only a 2xx response is emitted).',
      },
      maxResponseSize: size('A larger response body routes the FlowFile to failure.', '100 MB'),
      batchSize: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 10,
        description: 'FlowFiles per session; their requests run concurrently.',
      },
      client: serviceReference(
        HTTP_CLIENT,
        'An HttpClient service: its connection pool (shared with the other processors using it), timeouts and TLS settings (trusted CA, client certificate). Without it, the built-in client.',
      ),
      ...expressionLimitProperties,
    },
  },
  relationships: [
    {
      name: 'success',
      description:
        'The original FlowFile after a 2xx response, with invokehttp.status.code, .status.message, .request.url.',
    },
    {
      name: 'response',
      description:
        'The response body as a new FlowFile (FORK of the original): invokehttp.* attributes, invokehttp.header.<name>, mime.type.',
    },
    { name: 'retry', description: 'The original after a 5xx, a connection error or a timeout.' },
    { name: 'no retry', description: 'The original after any other status (4xx, or 3xx not followed).' },
    {
      name: 'failure',
      description:
        'No request was possible (the URL or a header expression failed, exceeded its time or depth limit, or is invalid) or the response was too large; the reason is in "invokehttp.error".',
    },
  ],
  validate: (config) => [
    ...checkExpressions([
      ['/url', config.url],
      ...Object.entries(config.headers).map(([k, v]): [string, string] => [`/headers/${pointer(k)}`, v]),
    ]).map((issue) =>
      issue.path === '/url' && /^https?:\/\//.test(config.url)
        ? { ...issue, message: `${issue.message}; a literal URL needs quotes: "${config.url}"` }
        : issue,
    ),
    ...(config.attributesToSend ? checkRegexes([['/attributesToSend', config.attributesToSend]]) : []),
  ],
  setup: (config, ctx) => {
    const limits = limitsOf(config);
    const client = config.client && ctx.services.get<HttpClientService>(config.client, HTTP_CLIENT);
    return {
      fetcher: client ? (input: URL, init: RequestInit) => client.fetch(input, init) : undefined,
      url: compileExpression(config.url, limits),
      headers: Object.entries(config.headers).map(([name, source]) => ({
        name,
        expr: compileExpression(source, limits),
      })),
      forward: config.attributesToSend ? compileRegex(config.attributesToSend) : undefined,
      timeoutMs: config.timeout,
      maxBytes: config.maxResponseSize,
    };
  },
  async onTrigger(session, { config, state, logger }) {
    const ffs = await session.get(config.batchSize);
    await Promise.all(
      ffs.map(async (ff) => {
        let prepared: Prepared;
        try {
          prepared = await prepare(ff, config, state);
        } catch (err) {
          logger.warn({ flowFileId: ff.id }, `request not sent, routed to failure: ${errorText(err)}`);
          failWith(session, ff, 'invokehttp.error', err);
          return;
        }
        try {
          const result = await call(
            prepared.url,
            {
              method: config.method,
              headers: prepared.headers,
              body: prepared.body,
              redirect: config.followRedirects ? 'follow' : 'manual',
            },
            state.timeoutMs,
            state.maxBytes,
            state.fetcher,
          );
          route(session, ff, prepared, result, config.alwaysOutputResponse);
        } catch (err) {
          const relationship = err instanceof TransportError ? 'retry' : 'failure';
          if (!(err instanceof TransportError || err instanceof ResponseTooLargeError)) throw err;
          const attributes = { 'invokehttp.error': errorText(err), 'invokehttp.request.url': prepared.url.href };
          logger.warn({ flowFileId: ff.id }, `${prepared.url.href}: ${errorText(err)}; routed to ${relationship}`);
          session.transfer(session.putAttributes(ff, attributes), relationship);
        }
      }),
    );
  },
});
