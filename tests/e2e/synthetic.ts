/** Synthetic genomes for e2e tests that need big inputs (written to a temp folder, not committed). */
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic pseudo-random ACGT (xorshift32), 60 letters per line: seed + size ⇒ same bytes. */
function sequenceBlock(bytes: number, seed: number): Buffer {
  const LETTERS = 'ACGT';
  const lineLen = 60;
  const buf = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  let col = 0;
  for (let i = 0; i < bytes; i++) {
    if (col === lineLen) {
      buf[i] = 10;
      col = 0;
      continue;
    }
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf[i] = LETTERS.charCodeAt(x & 3);
    col++;
  }
  buf[bytes - 1] = 10;
  return buf;
}

export function makeTempDir(prefix = 'mf-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes a single-record FASTA of about `megabytes` MB: a 4 MB random block repeated (cheap to
 * write, still real sequence for the counter). Returns its path, sequence length and size.
 */
export function writeSyntheticFasta(path: string, megabytes: number, seed = 42): { path: string; lengthBp: number; bytes: number } {
  const block = sequenceBlock(4 << 20, seed);
  let lettersPerBlock = 0;
  for (const b of block) if (b !== 10) lettersPerBlock++;
  const header = `>synthetic_${megabytes}MB random ACGT, seed ${seed}\n`;
  const fd = openSync(path, 'w');
  let blocks = 0;
  try {
    writeSync(fd, header);
    for (; blocks * block.length < megabytes * 1e6; blocks++) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return { path, lengthBp: blocks * lettersPerBlock, bytes: header.length + blocks * block.length };
}
