/**
 * Issue 11 defect: a gzip file whose CRC-32 trailer did not match its data was profiled as if it
 * were fine (fflate's streaming Gunzip never reads the trailer). Every member's CRC-32 and length
 * are now checked on every path: Node's native DecompressionStream (zlib) checks them itself, and
 * the portable decoder (src/core/gzip-members.ts) checks them too. Corrupt data never becomes a
 * profile, in the core, the CLI and (tests/e2e/bad-input.test.ts) the browser.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/profile';
import { portableGunzip } from '../../src/core/decompress';
import { AppError } from '../../src/core/errors';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { fixture } from '../helpers/data';
import { flipByte, gzipMemberStarts } from '../helpers/gzip-bytes';
import { runCommand } from '../helpers/run-cli';

const lambdaGz = new Uint8Array(readFileSync(fixture('lambda.fa.gz')));
const multiGz = new Uint8Array(readFileSync(fixture('multi-member.fa.gz')));
const starts = gzipMemberStarts(multiGz);

async function refusal(name: string, bytes: Uint8Array): Promise<AppError> {
  const e = await profileSource(bytesSource(name, bytes)).then(
    () => null,
    (x: unknown) => x,
  );
  if (e === null) throw new Error(`${name} was profiled`);
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

/** The portable decoder alone (the path Chromium takes for multi-member files). */
async function portable(name: string, bytes: Uint8Array, chunk = 4096): Promise<Uint8Array> {
  const out = await new Response(bytesSource(name, bytes, chunk).open().pipeThrough(portableGunzip(name))).arrayBuffer();
  return new Uint8Array(out);
}

const damaged: [string, Uint8Array, RegExp][] = [
  ['single member, CRC-32 byte of the trailer', flipByte(lambdaGz, -8), /member 1 \(at byte 0\) fails its CRC-32 check/],
  ['single member, length byte of the trailer', flipByte(lambdaGz, -3), /member 1 \(at byte 0\) inflates to 49,\d{3} bytes but its trailer says/],
  ['multi member, trailer of member 1', flipByte(multiGz, starts[1] - 6), /member 1 \(at byte 0\) fails its CRC-32 check/],
  ['multi member, trailer of member 2', flipByte(multiGz, -5), new RegExp(`member 2 \\(at byte ${starts[1].toLocaleString('en-US')}\\) fails its CRC-32 check`)],
];

describe('issue 11: every gzip member is checked (CRC-32 and length)', () => {
  it('the multi-member fixture has two members (precondition)', () => {
    expect(starts).toHaveLength(2);
  });

  it.each(damaged)('%s: refused with GZIP_CORRUPT naming the member and its offset', async (_, bytes, message) => {
    const e = await refusal('damaged.fa.gz', bytes);
    expect(e.code).toBe('GZIP_CORRUPT');
    expect(e.message).toMatch(/^damaged\.fa\.gz: the gzip data is corrupt: /);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(/gzip -t/);
    await expect(portable('damaged.fa.gz', bytes)).rejects.toMatchObject({ code: 'GZIP_CORRUPT', message: e.message });
  });

  it('a flipped byte in the deflate data is refused, in member 1 and in member 2', async () => {
    for (const [bytes, member] of [
      [flipByte(lambdaGz, 5000, 0x10), 1],
      [flipByte(multiGz, starts[1] + 4000, 0x10), 2],
    ] as const) {
      expect(() => gunzipSync(bytes)).toThrow(); // zlib refuses it too
      const e = await refusal('damaged.fa.gz', bytes);
      expect(['GZIP_CORRUPT', 'GZIP_TRUNCATED']).toContain(e.code);
      expect(e.message).toMatch(new RegExp(`member ${member}\\b`));
    }
  });

  it('Node’s native DecompressionStream checks every member itself (so the CLI never takes damaged data)', async () => {
    for (const [, bytes] of damaged) {
      const native = new Response(new Blob([new Uint8Array(bytes)]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
      await expect(native).rejects.toThrow(/incorrect (data|length) check/);
    }
  });

  it('the portable decoder gives the bytes zlib gives, for every chunk size', async () => {
    const plain = new Uint8Array(gunzipSync(multiGz));
    for (const chunk of [1, 7, 4096, 1 << 20]) expect(await portable('m.fa.gz', multiGz, chunk)).toEqual(plain);
  });

  it('stored (level 0) blocks and an empty member decode exactly as zlib does, in any chunks', async () => {
    const plain = new Uint8Array(gunzipSync(lambdaGz));
    const stored = new Uint8Array(gzipSync(plain, { level: 0 }));
    const withEmpty = new Uint8Array([...gzipSync(plain.subarray(0, 1000)), ...gzipSync(Buffer.alloc(0)), ...gzipSync(plain.subarray(1000), { level: 0 })]);
    for (const bytes of [stored, withEmpty]) {
      expect(new Uint8Array(gunzipSync(bytes))).toEqual(plain);
      for (const chunk of [13, 4095, 1 << 17]) expect(await portable('s.fa.gz', bytes, chunk)).toEqual(plain);
      await expect(portable('s.fa.gz', flipByte(bytes, -7), 1000)).rejects.toMatchObject({ code: 'GZIP_CORRUPT' });
    }
  });

  it('zero padding after the last member is accepted (as zlib does); other trailing bytes are refused', async () => {
    const padded = new Uint8Array([...lambdaGz, ...new Uint8Array(512)]);
    expect(gunzipSync(padded).length).toBe(gunzipSync(lambdaGz).length);
    expect((await profileSource(bytesSource('padded.fa.gz', padded))).lengthBp).toBe(48502);
    expect(await portable('padded.fa.gz', padded)).toEqual(new Uint8Array(gunzipSync(lambdaGz)));
    const junk = new Uint8Array([...lambdaGz, ...new TextEncoder().encode('garbage')]);
    const e = await refusal('junk.fa.gz', junk);
    expect(e.code).toBe('GZIP_CORRUPT');
    expect(e.message).toMatch(/unexpected data after member 1 at byte 15,\d{3}/);
  });

  it('a file cut inside the trailer, or right after the deflate data, is truncated', async () => {
    for (const cut of [4, 8]) {
      const e = await refusal('cut.fa.gz', lambdaGz.subarray(0, lambdaGz.length - cut));
      expect(e.code).toBe('GZIP_TRUNCATED');
      expect(e.message).toMatch(/ends too early.*member 1, at byte/);
    }
  });

  it('a header with FHCRC is checked; reserved flags are refused', async () => {
    const body = gzipSync(Buffer.from('>a\nACGTACGT\n'));
    // rebuild with FHCRC: header(10) + CRC16 of the header + the rest
    const head = Buffer.from(body.subarray(0, 10));
    head[3] |= 2;
    const { crc32 } = await import('../../src/core/crc32');
    const hcrc = crc32(head) & 0xffff;
    const withHcrc = Buffer.concat([head, Buffer.from([hcrc & 0xff, hcrc >> 8]), body.subarray(10)]);
    expect(gunzipSync(withHcrc).toString()).toBe('>a\nACGTACGT\n');
    expect((await profileSource(bytesSource('h.fa.gz', withHcrc))).lengthBp).toBe(8);
    const badHcrc = flipByte(withHcrc, 10);
    expect(() => gunzipSync(badHcrc)).toThrow();
    expect((await refusal('h.fa.gz', badHcrc)).message).toMatch(/header checksum/);
    const reserved = flipByte(body, 3, 0x80);
    expect(() => gunzipSync(reserved)).toThrow();
    expect((await refusal('r.fa.gz', reserved)).message).toMatch(/reserved header flags/);
  });

  it('mediaforge profile exits 1 with one line on stderr and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-crc-'));
    for (const [label, bytes] of damaged) {
      const path = join(dir, 'damaged.fa.gz');
      writeFileSync(path, bytes);
      const out = join(dir, 'out.tsv');
      const r = await runCommand({ run }, 'profile', path, '--out', out);
      expect(r.code, label).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^mediaforge profile: .*damaged\.fa\.gz: the gzip data is corrupt: member \d \(at byte [\d,]+\) (fails its CRC-32 check|inflates to)/);
      expect(() => readFileSync(out)).toThrow();
    }
  });
});
