/**
 * HttpClient against a real local HTTPS server with a self-signed certificate (made with the openssl CLI):
 * the CA set on the service is what makes InvokeHTTP's call succeed, a client certificate passes mutual TLS,
 * and two InvokeHTTP processors referencing one HttpClient share its pool (one TCP connection at the server).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import InvokeHTTP from '../../processors/invoke-http';
import { createRegistry } from '../../processors/registry';
import {
  FlowEngine,
  processorRunner,
  ServiceRegistry,
  serviceLookupOf,
  silentLogger,
  validateFlow,
} from '../../sdk/testing';
import { waitFor } from '../../test/helpers/wait-for';
import HttpClient, { type HttpClientService } from '.';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

let dir: string;
let cert: string;
let key: string;
let server: Server;
let base: string;
/** TLS connections the server accepted, and requests it answered. */
let connections = 0;
let requests = 0;

async function listen(options: { requestCert?: boolean } = {}): Promise<void> {
  server = createServer(
    { cert, key, ca: cert, requestCert: options.requestCert, rejectUnauthorized: true },
    (req, res) => {
      requests++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    },
  );
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', () => {
    connections++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

beforeAll(async () => {
  if (!haveOpenssl) return;
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-tls-'));
  const made = spawnSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'],
      ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  cert = await readFile(path.join(dir, 'cert.pem'), 'utf8');
  key = await readFile(path.join(dir, 'key.pem'), 'utf8');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const services = new ServiceRegistry([HttpClient]);

async function client(config: unknown): Promise<HttpClientService> {
  const checked = services.checkConfig('HttpClient', config);
  if (checked.issues.length > 0) throw new Error(JSON.stringify(checked.issues));
  const context = {
    flowId: 'f',
    serviceId: 'http',
    logger: silentLogger,
    allowedDirs: [],
    services: serviceLookupOf({}),
  };
  return (await HttpClient.enable(checked.config as never, context)) as HttpClientService;
}

async function callOnce(http: HttpClientService) {
  const run = processorRunner(
    InvokeHTTP,
    { method: 'GET', url: `"${base}/"`, client: { service: 'http' } },
    {
      services: { http },
    },
  );
  run.enqueue('');
  await run.trigger();
  await run.stop();
  return run;
}

describe.skipIf(!haveOpenssl)('HttpClient over TLS (needs the openssl CLI)', () => {
  test('the CA set on the service is what makes the call succeed', async () => {
    await listen();
    try {
      const untrusting = await client({});
      const refused = await callOnce(untrusting);
      const [retried] = refused.transferred('retry');
      expect(retried!.attributes['invokehttp.error']).toMatch(/SELF_SIGNED_CERT/);
      await HttpClient.disable!(untrusting, undefined as never);

      const trusting = await client({ tls: { ca: cert } });
      const ok = await callOnce(trusting);
      expect(ok.transferred('success')).toHaveLength(1);
      expect(ok.transferred('response')[0]!.content.toString()).toBe('ok');
      await HttpClient.disable!(trusting, undefined as never);
    } finally {
      await close();
    }
  });

  test('a client certificate (its key from an environment reference) passes mutual TLS', async () => {
    await listen({ requestCert: true });
    process.env.SLUICE_TEST_TLS_KEY = key;
    try {
      const without = await client({ tls: { ca: cert } });
      expect((await callOnce(without)).transferred('success')).toHaveLength(0);
      await HttpClient.disable!(without, undefined as never);
      const withCert = await client({ tls: { ca: cert, cert, key: `\${SLUICE_TEST_TLS_KEY}` } });
      expect((await callOnce(withCert)).transferred('success')).toHaveLength(1);
      await HttpClient.disable!(withCert, undefined as never);
    } finally {
      delete process.env.SLUICE_TEST_TLS_KEY;
      await close();
    }
  });

  test('two InvokeHTTP referencing one HttpClient share its pool: one TCP connection serves both', async () => {
    await listen();
    connections = 0;
    requests = 0;
    const registry = createRegistry();
    const caller = (id: string) => ({
      id,
      type: 'InvokeHTTP',
      config: { method: 'GET', url: `"${base}/${id}"`, client: { service: 'http' } },
      autoTerminate: ['success', 'response', 'retry', 'no retry', 'failure'],
    });
    const flow = {
      schemaVersion: 2,
      id: 'shared-pool',
      name: 'Shared pool',
      // The CA comes from a parameter, as a PEM string would in production.
      parameterContexts: [{ id: 'tls', parameters: [{ name: 'ca.pem', value: cert }] }],
      parameterContext: 'tls',
      services: [
        {
          id: 'http',
          type: 'HttpClient',
          config: { connections: 1, keepAliveTimeout: '60s', tls: { ca: '#{ca.pem}' } },
        },
      ],
      processors: [
        { id: 'gen1', type: 'GenerateFlowFile', config: { count: 10 }, schedule: { period: '5ms' } },
        { id: 'gen2', type: 'GenerateFlowFile', config: { count: 10 }, schedule: { period: '5ms' } },
        caller('call1'),
        caller('call2'),
      ],
      connections: [
        { id: 'c1', source: 'gen1', relationships: ['success'], target: 'call1' },
        { id: 'c2', source: 'gen2', relationships: ['success'], target: 'call2' },
      ],
    };
    const check = validateFlow(flow, registry, { registerSecrets: false });
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    const engine = new FlowEngine(check.resolved, registry);
    try {
      expect(await engine.start()).toEqual([]);
      await waitFor(() => requests >= 20, 'twenty requests answered');
      const status = engine.status();
      expect(status.processors.call1!.in).toBe(10);
      expect(status.processors.call2!.in).toBe(10);
      expect(status.services.http).toMatchObject({ state: 'enabled', referencedBy: ['call1', 'call2'] });
      expect(connections).toBe(1);
    } finally {
      await engine.stop();
      await close();
    }
  });
});

test('a certificate that is not PEM, and a client certificate without key, are config issues', () => {
  expect(services.checkConfig('HttpClient', { tls: { ca: 'nope', cert: 'x' } }, '/services/0/config').issues).toEqual([
    { path: '/services/0/config/tls/ca', message: 'must be PEM: one or more "-----BEGIN CERTIFICATE-----" blocks' },
    { path: '/services/0/config/tls/cert', message: 'must be PEM: one or more "-----BEGIN CERTIFICATE-----" blocks' },
    { path: '/services/0/config/tls/key', message: 'a client certificate needs both "cert" and "key"' },
  ]);
  expect(services.checkConfig('HttpClient', { tls: { key: 'plain' } }, '').issues[0]!.path).toBe('/tls/key');
});

test('the Authorization header set on the client goes with every request that sets none of its own', async () => {
  const { createServer: createHttpServer } = await import('node:http');
  const seen: (string | undefined)[] = [];
  const plain = createHttpServer((req, res) => {
    seen.push(req.headers.authorization);
    res.end('ok');
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
  process.env.SLUICE_TEST_HTTP_AUTH = 'Bearer from-the-environment';
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an environment reference, resolved by the client
  const http = await client({ authorization: '${SLUICE_TEST_HTTP_AUTH}' });
  try {
    expect(await (await http.fetch(url)).text()).toBe('ok');
    await http.fetch(url, { headers: { Authorization: 'Basic b3duOm93bg==' } });
    const none = await client({});
    await none.fetch(url);
    await HttpClient.disable!(none, undefined as never);
    expect(seen).toEqual(['Bearer from-the-environment', 'Basic b3duOm93bg==', undefined]);
  } finally {
    delete process.env.SLUICE_TEST_HTTP_AUTH;
    await HttpClient.disable!(http, undefined as never);
    await new Promise((resolve) => plain.close(resolve));
  }
});
