/**
 * The binary layout of MediaForge's model files and training checkpoints (genome VAE and recipe
 * CVAE alike): magic | u32le JSON length | JSON | zero pad to a multiple of 4 | body (packed
 * weights, then the optimizer state for checkpoints). One writer and one reader for all four.
 */
import { AppError } from '../core/errors';

/** Concatenates the parts of a file: the padded JSON head, then each body part in order. */
export function encodeTaggedFile(magic: string, head: unknown, ...body: Uint8Array[]): Uint8Array {
  const tag = new TextEncoder().encode(magic);
  const json = new TextEncoder().encode(JSON.stringify(head));
  const end = tag.length + 4 + json.length;
  const start = end + ((4 - (end % 4)) % 4);
  const out = new Uint8Array(start + body.reduce((s, b) => s + b.length, 0));
  out.set(tag, 0);
  new DataView(out.buffer).setUint32(tag.length, json.length, true);
  out.set(json, tag.length + 4);
  let at = start;
  for (const b of body) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** True when `bytes` start with `magic` and have room for the JSON length. */
export function hasTag(bytes: Uint8Array, magic: string): boolean {
  const tag = new TextEncoder().encode(magic);
  return bytes.length >= tag.length + 4 && tag.every((b, i) => bytes[i] === b);
}

export interface TaggedFileErrors {
  /** "<name>: not a …" when the magic is wrong. */
  notThis: { message: string; hint?: string };
  /** "<name>: the … is damaged" when the JSON head does not parse. */
  damaged: { message: string; hint?: string };
}

/** The JSON head and the body (after the pad) of a tagged file; AppError DATA_INVALID otherwise. */
export function decodeTaggedFile<T>(bytes: Uint8Array, magic: string, name: string, errors: TaggedFileErrors): { head: T; body: Uint8Array } {
  if (!hasTag(bytes, magic)) throw new AppError('DATA_INVALID', `${name}: ${errors.notThis.message}`, errors.notThis.hint);
  const tagLength = new TextEncoder().encode(magic).length;
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(tagLength, true);
  const end = tagLength + 4 + len;
  let head: T;
  try {
    head = JSON.parse(new TextDecoder().decode(bytes.subarray(tagLength + 4, end))) as T;
  } catch {
    throw new AppError('DATA_INVALID', `${name}: ${errors.damaged.message}`, errors.damaged.hint);
  }
  return { head, body: bytes.subarray(end + ((4 - (end % 4)) % 4)) };
}
