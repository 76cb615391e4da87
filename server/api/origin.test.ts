import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { isAllowedHost, isSameOrigin, parseAllowedHosts } from './origin';

describe('allowed hosts', () => {
  test('IP literals and localhost always; names only when listed', () => {
    for (const host of ['127.0.0.1:8080', '[::1]:8080', '192.168.1.10', 'localhost', 'LOCALHOST:1', 'ui.localhost'])
      expect(isAllowedHost(host, []), host).toBe(true);
    for (const host of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', 'bad host'])
      expect(isAllowedHost(host, []), host).toBe(false);
    const listed = parseAllowedHosts('sluice.internal, .corp.example');
    expect(listed).toEqual(['sluice.internal', '.corp.example']);
    expect(isAllowedHost('Sluice.Internal:8080', listed)).toBe(true);
    expect(isAllowedHost('corp.example', listed)).toBe(true);
    expect(isAllowedHost('a.b.corp.example', listed)).toBe(true);
    expect(isAllowedHost('evilcorp.example', listed)).toBe(false);
    expect(isAllowedHost('anything.example', ['*'])).toBe(true);
  });

  test('same origin: Origin names the Host the request was sent to, port included', () => {
    const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
    expect(isSameOrigin(req({ host: '127.0.0.1:8080' }))).toBe(true); // no Origin: not a cross-origin browser request
    expect(isSameOrigin(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }))).toBe(true);
    expect(isSameOrigin(req({ host: 'x.example', origin: 'https://x.example' }))).toBe(true);
    expect(isSameOrigin(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9090' }))).toBe(false);
    expect(isSameOrigin(req({ host: '127.0.0.1:8080', origin: 'null' }))).toBe(false);
    expect(isSameOrigin(req({ host: '127.0.0.1:8080', origin: 'not a url' }))).toBe(false);
  });
});
