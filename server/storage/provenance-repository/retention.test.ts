import { expect, test } from 'vitest';
import { DEFAULT_REPOSITORY_RETENTION, repositoryRetentionFromEnv } from './retention';

test("retention defaults to NiFi's 30 days and 10 GB", () => {
  expect(repositoryRetentionFromEnv({})).toEqual({ maxAgeMs: 30 * 86_400_000, maxBytes: 10 * 1024 ** 3 });
  expect(repositoryRetentionFromEnv({})).toEqual(DEFAULT_REPOSITORY_RETENTION);
});

test('retention is read from SLUICE_PROVENANCE_MAX_AGE and SLUICE_PROVENANCE_MAX_SIZE', () => {
  expect(
    repositoryRetentionFromEnv({ SLUICE_PROVENANCE_MAX_AGE: '12h', SLUICE_PROVENANCE_MAX_SIZE: '500 MB' }),
  ).toEqual({ maxAgeMs: 12 * 3_600_000, maxBytes: 500 * 1024 ** 2 });
  expect(repositoryRetentionFromEnv({ SLUICE_PROVENANCE_MAX_AGE: '7 days' }).maxAgeMs).toBe(7 * 86_400_000);
  expect(repositoryRetentionFromEnv({ SLUICE_PROVENANCE_MAX_SIZE: '1048576' }).maxBytes).toBe(1_048_576);
});

test('a value that does not parse is an error naming the variable', () => {
  expect(() => repositoryRetentionFromEnv({ SLUICE_PROVENANCE_MAX_SIZE: 'lots' })).toThrow(
    'SLUICE_PROVENANCE_MAX_SIZE="lots" is not valid',
  );
  expect(() => repositoryRetentionFromEnv({ SLUICE_PROVENANCE_MAX_AGE: '0s' })).toThrow(
    'SLUICE_PROVENANCE_MAX_AGE="0s" must be greater than zero',
  );
});
