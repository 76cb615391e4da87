import { describe, expect, test } from 'vitest';
import { enableService } from '../broker-test-kit';
import KeyValueLookupService from '.';

describe('KeyValueLookupService', () => {
  test('key → record, key → text as {value}; the map cannot be changed through a result', async () => {
    const { instance } = await enableService(KeyValueLookupService, {
      entries: { DE: { country: 'Germany', eu: true }, US: 'United States' },
    });
    const de = await instance.lookup('DE');
    expect(de).toEqual({ country: 'Germany', eu: true });
    de!.country = 'changed';
    expect(await instance.lookup('DE')).toEqual({ country: 'Germany', eu: true });
    expect(await instance.lookup('US')).toEqual({ value: 'United States' });
    expect(await instance.lookup('FR')).toBeUndefined();
  });

  test('an entry that is neither a record nor text is refused', async () => {
    await expect(enableService(KeyValueLookupService, { entries: { a: 1 } })).rejects.toThrow(/entries/);
  });
});
