/**
 * Issue 11 regression: `recommend` and `generate` profile their input under the neutral name
 * 'query' (so headers and file names cannot change the answer), and their refusals said
 * "query: the file is empty" instead of naming the file. Every refusal now names the file given.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileQueryFile } from '../../src/cli/genome-query';
import { AppError } from '../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'mf-query-errors-'));
const cases: [string, string, string][] = [
  ['empty.fa', '', 'FILE_EMPTY'],
  ['reads.fq', '@r1\nACGT\n+\nIIII\n', 'FASTA_IS_FASTQ'],
  ['masked.fa', '>x\nNNNN\n', 'FASTA_NO_SEQUENCE'],
];

describe('issue 11: a refused query file is named in the message', () => {
  for (const [name, text, code] of cases) {
    it(`${name}: ${code}, and the message starts with the path`, async () => {
      const path = join(dir, name);
      writeFileSync(path, text);
      const e = await profileQueryFile(path).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe(code);
      expect((e as AppError).message.startsWith(`${path}: `)).toBe(true);
      expect((e as AppError).message).not.toMatch(/\bquery:/);
    });
  }
});
