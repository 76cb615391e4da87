import { describe, expect, test } from 'vitest';
import { redactUrl, serverList } from './nats-link';

describe('NATS URLs', () => {
  test('passwords and tokens never reach a message; user names do', () => {
    expect(redactUrl('nats://app:s3cret@nats.example:4222')).toBe('nats://app:***@nats.example:4222');
    expect(redactUrl('nats://a:x@n1:4222,nats://b:y@n2:4222')).toBe('nats://a:***@n1:4222,nats://b:***@n2:4222');
    expect(redactUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(redactUrl('nats://s3cr3t-token@host:4222')).toBe('nats://***@host:4222');
  });

  test('a comma-separated NATS_URL lists the servers of a cluster', () => {
    expect(serverList('nats://n1:4222, nats://n2:4222,,nats://n3:4222')).toEqual([
      'nats://n1:4222',
      'nats://n2:4222',
      'nats://n3:4222',
    ]);
    expect(serverList('nats://127.0.0.1:4222')).toEqual(['nats://127.0.0.1:4222']);
  });
});
