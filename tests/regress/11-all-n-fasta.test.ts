/**
 * Issue 11 regression: a FASTA whose records hold only N (no A, C, G or T at all) was profiled as an
 * all-zero profile with exit code 0. The core now refuses it, so the CLI and the app agree and it
 * is never saved as a genome.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/profile';
import { AppError } from '../../src/core/errors';
import { profileSource } from '../../src/core/profile';
import { bytesSource } from '../../src/core/sources';
import { runCommand } from '../helpers/run-cli';

const ALL_N = '>r1 masked\nNNNNNNNNNNNNNNNNNNNN\n>r2\nnnnnRYKMnnnn\n';

describe('issue 11: a FASTA of only N is refused', () => {
  it('the core throws FASTA_NO_SEQUENCE naming the file, its length and what is missing', async () => {
    const e = await profileSource(bytesSource('masked.fa', new TextEncoder().encode(ALL_N))).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('FASTA_NO_SEQUENCE');
    expect((e as AppError).message).toBe('masked.fa: 32 bp in 2 records but no A, C, G or T (only N or other ambiguity codes)');
  });

  it('one A is enough: the same file with one real base is profiled', async () => {
    const p = await profileSource(bytesSource('one.fa', new TextEncoder().encode(`${ALL_N}A\n`)));
    expect(p.acgtBp).toBe(1);
  });

  it('mediaforge profile exits non-zero with one line on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-alln-'));
    const path = join(dir, 'masked.fa');
    writeFileSync(path, ALL_N);
    const r = await runCommand({ run }, 'profile', path);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no A, C, G or T/);
  });
});
