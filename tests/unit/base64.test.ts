import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, dataUrlBytes } from '../../src/core/base64';

describe('base64', () => {
  it('round-trips every byte value and arrays longer than one 32 kB slice', () => {
    const bytes = new Uint8Array(100_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 255;
    const text = bytesToBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64ToBytes(text)).toEqual(bytes);
  });

  it('reads a data URL, and names one that is not base64', () => {
    expect(Array.from(dataUrlBytes('data:application/gzip;base64,AAH/'))).toEqual([0, 1, 255]);
    expect(() => dataUrlBytes('data:text/plain,hello')).toThrow(/not a base64 data URL/);
    expect(() => dataUrlBytes('/assets/x.gz')).toThrow(/not a base64 data URL/);
  });
});
