import { describe, expect, test } from 'vitest';
import { hexDump } from './hex-dump';

describe('hexDump', () => {
  test('16 bytes a line: offset, two groups of eight, printable ASCII', () => {
    const bytes = Buffer.concat([Buffer.from('Hello, Sluice!\n'), Buffer.from([0, 255, 65])]);
    expect(hexDump(bytes)).toBe(
      '00000000  48 65 6c 6c 6f 2c 20 53  6c 75 69 63 65 21 0a 00  |Hello, Sluice!..|\n' +
        '00000010  ff 41                                             |.A|\n',
    );
  });

  test('nothing for no bytes', () => {
    expect(hexDump(Buffer.alloc(0))).toBe('');
  });
});
