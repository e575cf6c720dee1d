/**
 * A streaming gunzip that checks every member: its header, its deflate data (fflate's raw
 * Inflate) and its trailer, CRC-32 and ISIZE (length mod 2^32), as RFC 1952 asks.
 *
 * Why not fflate's own Gunzip: it skips the 8 trailer bytes without reading them, so a .gz whose
 * data or trailer was damaged decoded "fine" (issue 11). This one frames the members itself:
 * - header: magic 1f 8b, method 8, no reserved flag bits; FEXTRA, FNAME, FCOMMENT skipped; the
 *   header CRC-16 checked when FHCRC is set;
 * - body: fflate's Inflate, fed at most 64 KiB at a time so one push never inflates to more than
 *   ~66 MB (bounded memory, even for a gzip bomb); the end of the deflate stream is read from the
 *   Inflate state (`s.f`: final block seen, `s.l`: inside a block, `s.p`: bit position), the same
 *   fields fflate's Gunzip uses (fflate 0.8.x, pinned in package-lock.json; tests fail if they change);
 * - trailer: CRC-32 over the member's output and its length, compared with the stored ones;
 * - after the last member: end of file, or zero bytes only (padding, which zlib accepts too).
 * Every failure is an AppError naming the file, the member and its byte offset.
 */
import { Inflate } from 'fflate';
import { crc32Update } from './crc32';
import { AppError } from './errors';

const MAX_PUSH = 1 << 16;
const MAX_HEADER = 1 << 20;
const TWO_32 = 4294967296;

const enum State {
  Header,
  Body,
  Trailer,
  Padding,
}

/** The parts of fflate's Inflate state that say where the deflate stream ended. */
interface InflateInternals {
  s: { f?: number; l?: unknown; p?: number };
  p: Uint8Array;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export const GZIP_CORRUPT_HINT = 'the file is damaged: check it with `gzip -t`, then download or copy it again';
export const GZIP_TRUNCATED_HINT = 'download or copy the file again';

/**
 * Parses a gzip member header at the start of `b`. Returns its length, or -1 if more bytes are
 * needed. Throws a description of what is wrong.
 */
export function parseGzipHeader(b: Uint8Array): number {
  if (b.length >= 1 && b[0] !== 0x1f) throw new Error('no gzip header');
  if (b.length >= 2 && b[1] !== 0x8b) throw new Error('no gzip header');
  if (b.length >= 3 && b[2] !== 8) throw new Error(`unknown compression method ${b[2]}`);
  if (b.length < 10) return -1;
  const flags = b[3];
  if (flags & 0xe0) throw new Error('reserved header flags are set');
  let i = 10;
  if (flags & 4) {
    if (b.length < i + 2) return -1;
    i += 2 + (b[i] | (b[i + 1] << 8));
    if (b.length < i) return -1;
  }
  for (const bit of [8, 16]) {
    if (flags & bit) {
      const z = b.indexOf(0, i);
      if (z < 0) return -1;
      i = z + 1;
    }
  }
  if (flags & 2) {
    if (b.length < i + 2) return -1;
    const want = b[i] | (b[i + 1] << 8);
    const got = crc32Update(0, b.subarray(0, i)) & 0xffff;
    if (want !== got) throw new Error('the header checksum (FHCRC) does not match');
    i += 2;
  }
  return i;
}

export class CheckedGunzip {
  private state = State.Header;
  private pending: Uint8Array = new Uint8Array(0);
  /** Absolute offset (compressed bytes) of the first byte not yet given to a state. */
  private at = 0;
  private member = 0; // 1-based index of the current member
  private memberStart = 0;
  private inflate: Inflate | null = null;
  private crc = 0;
  private size = 0;
  private ended = false;

  constructor(
    private readonly name: string,
    private readonly ondata: (data: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.ended) throw new AppError('INTERNAL', `${this.name}: gunzip used after its end`);
    let buf = chunk;
    while (buf.length > 0) buf = this.step(buf);
  }

  /** Ends the input: throws unless the last member was complete and checked. */
  finish(): void {
    this.ended = true;
    if (this.state === State.Body) {
      const inflate = this.inflate!;
      const endOfSlice = this.at;
      this.runInflate(() => inflate.push(new Uint8Array(0), true));
      if (!this.deflateDone()) throw this.truncated(`inside the compressed data of member ${this.member}`);
      const left = this.leftover();
      this.toTrailer(endOfSlice, left.length);
      let buf = left;
      while (buf.length > 0) buf = this.step(buf);
    }
    if (this.state === State.Body) throw this.truncated(`inside the compressed data of member ${this.member}`);
    if (this.state === State.Trailer) throw this.truncated(`inside the 8-byte trailer (CRC-32 and length) of member ${this.member}`);
    if (this.state === State.Header && this.pending.length > 0) {
      throw this.truncated(`inside the header of member ${this.member + 1}`);
    }
  }

  private step(buf: Uint8Array): Uint8Array {
    switch (this.state) {
      case State.Header:
        return this.stepHeader(buf);
      case State.Body:
        return this.stepBody(buf);
      case State.Trailer:
        return this.stepTrailer(buf);
      case State.Padding:
        return this.stepPadding(buf);
    }
  }

  private stepHeader(buf: Uint8Array): Uint8Array {
    if (this.pending.length === 0) {
      if (this.member > 0 && buf[0] === 0) {
        this.state = State.Padding;
        return buf;
      }
      this.memberStart = this.at;
    }
    const have = this.pending.length === 0 ? buf : concat(this.pending, buf);
    let len: number;
    try {
      len = parseGzipHeader(have);
    } catch (e) {
      const what = this.member === 0 ? (e as Error).message : `${(e as Error).message}: unexpected data after member ${this.member}`;
      throw this.corrupt(`${what} at byte ${fmt(this.memberStart)}`);
    }
    if (len < 0) {
      if (have.length > MAX_HEADER) throw this.corrupt(`the header of member ${this.member + 1} at byte ${fmt(this.memberStart)} is over 1 MiB long`);
      this.pending = have.slice();
      this.at += buf.length;
      return new Uint8Array(0);
    }
    const rest = have.subarray(len);
    this.at = this.memberStart + len;
    this.pending = new Uint8Array(0);
    this.member++;
    this.crc = 0;
    this.size = 0;
    this.inflate = new Inflate((data) => {
      if (data.length === 0) return;
      this.crc = crc32Update(this.crc, data);
      this.size += data.length;
      this.ondata(data);
    });
    this.state = State.Body;
    return rest;
  }

  private stepBody(buf: Uint8Array): Uint8Array {
    const slice = buf.length > MAX_PUSH ? buf.subarray(0, MAX_PUSH) : buf;
    const inflate = this.inflate!;
    this.runInflate(() => inflate.push(slice, false));
    const endOfSlice = this.at + slice.length;
    this.at = endOfSlice;
    if (!this.deflateDone()) return buf.subarray(slice.length);
    const left = this.leftover();
    this.toTrailer(endOfSlice, left.length);
    const after = buf.subarray(slice.length);
    return after.length === 0 ? left : concat(left, after);
  }

  private toTrailer(endOfSlice: number, leftoverLength: number): void {
    this.at = endOfSlice - leftoverLength;
    this.inflate = null;
    this.state = State.Trailer;
    this.pending = new Uint8Array(0);
  }

  private stepTrailer(buf: Uint8Array): Uint8Array {
    const take = Math.min(8 - this.pending.length, buf.length);
    this.pending = concat(this.pending, buf.subarray(0, take));
    this.at += take;
    if (this.pending.length < 8) {
      this.pending = this.pending.slice();
      return buf.subarray(take);
    }
    const t = this.pending;
    const storedCrc = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
    const storedSize = (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0;
    const where = `member ${this.member} (at byte ${fmt(this.memberStart)})`;
    if (storedCrc !== this.crc) {
      throw this.corrupt(`${where} fails its CRC-32 check (stored ${hex(storedCrc)}, data ${hex(this.crc)})`);
    }
    if (storedSize !== this.size % TWO_32) {
      throw this.corrupt(`${where} inflates to ${fmt(this.size)} bytes but its trailer says ${fmt(storedSize)}`);
    }
    this.pending = new Uint8Array(0);
    this.state = State.Header;
    return buf.subarray(take);
  }

  private stepPadding(buf: Uint8Array): Uint8Array {
    const bad = buf.findIndex((b) => b !== 0);
    if (bad >= 0) throw this.corrupt(`unexpected data at byte ${fmt(this.at + bad)}, after the last member (${this.member})`);
    this.at += buf.length;
    return new Uint8Array(0);
  }

  private deflateDone(): boolean {
    const s = (this.inflate as unknown as InflateInternals).s;
    return Boolean(s.f) && !s.l;
  }

  /** Input bytes given to Inflate after the end of the deflate stream. */
  private leftover(): Uint8Array {
    const st = this.inflate as unknown as InflateInternals;
    const pos = (((st.s.p ?? 0) + 7) / 8) | 0;
    return st.p.subarray(pos);
  }

  private runInflate(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof AppError) throw e;
      const code = (e as { code?: number }).code;
      if (code === 0) throw this.truncated(`inside the compressed data of member ${this.member}`);
      const msg = e instanceof Error ? e.message : String(e);
      throw this.corrupt(`member ${this.member} (at byte ${fmt(this.memberStart)}) has invalid compressed data (${msg}) near byte ${fmt(this.at)}`);
    }
  }

  private corrupt(what: string): AppError {
    return new AppError('GZIP_CORRUPT', `${this.name}: the gzip data is corrupt: ${what}`, GZIP_CORRUPT_HINT);
  }

  private truncated(where: string): AppError {
    return new AppError(
      'GZIP_TRUNCATED',
      `${this.name}: the gzip data ends too early (truncated file or incomplete download): the file ends ${where}, at byte ${fmt(this.at)}`,
      GZIP_TRUNCATED_HINT,
    );
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
