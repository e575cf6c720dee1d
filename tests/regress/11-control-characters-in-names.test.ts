/**
 * Control characters in file names and FASTA headers, through the built CLI (issue 11
 * follow-up). Before, a file name holding a newline split the "one line on stderr" error in two,
 * and a U+202E RIGHT-TO-LEFT OVERRIDE in a name reordered the rest of the terminal line and the
 * header cell of the TSV ("evil\u202Eanf.exe" reads "evilexe.fna"). Now stderr lines show each
 * control as <U+XXXX>, TSV header cells likewise, and JSON writes them as \u escapes (the
 * parsed value is the exact name). Run `npm run build:cli` first.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBidiControls } from '../../src/core/untrusted-text';
import { REPO_ROOT, fixture } from '../helpers/data';

const BIN = join(REPO_ROOT, 'bin/mediaforge.js');
const RLO = '\u202E';
let dir: string;
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist-cli/mediaforge.js'))) throw new Error('dist-cli/mediaforge.js is missing: run `npm run build:cli`');
  dir = mkdtempSync(join(tmpdir(), 'mf-ctl-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('control characters in names (CLI)', () => {
  it('a refused file whose name holds a newline, a carriage return and U+202E gets exactly one stderr line, in logical order', () => {
    const name = `bad\nline\rtwo${RLO}af.txt`;
    writeFileSync(join(dir, name), '');
    const r = cli('profile', name);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.slice(0, -1)).not.toMatch(/[\n\r\u202E]/);
    expect(r.stderr).toBe(`mediaforge profile: bad<U+000A>line<U+000D>two<U+202E>af.txt: the file is empty (0 bytes) (choose a FASTA file with at least one ">" header line and its sequence)\n`);
  });

  it('a missing file with a newline in its name: one line', () => {
    const r = cli('profile', 'no\nsuch.fa');
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual(['mediaforge profile: no<U+000A>such.fa: no such file (check the path)']);
  });

  it('a warning about a record id with U+202E and a newline-free name is one line, the control shown', () => {
    const name = `dup${RLO}af.fa`;
    writeFileSync(join(dir, name), `>${RLO}c1\nACGTACGTAC\n>${RLO}c1\nGGGCCCATAT\n`);
    const r = cli('profile', name, '--out', join(dir, 'out.tsv'));
    expect(r.status).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mediaforge profile: warning: dup<U\+202E>af\.fa: 1 record id is used again, first '<U\+202E>c1'/);
    expect(hasBidiControls(r.stderr)).toBe(false);
  });

  it('TSV header cells show the controls; JSON escapes them and parses back to the exact names', () => {
    const a = `evil${RLO}anf.exe`;
    const b = `tab\there.fa.gz`;
    copyFileSync(fixture('crlf.fa'), join(dir, a));
    copyFileSync(fixture('lambda.fa.gz'), join(dir, b));
    const tsv = cli('profile', a, b, '--format', 'tsv');
    expect(tsv.status).toBe(0);
    expect(tsv.stdout.split('\n')[0]).toBe('k\tkmer\tevil<U+202E>anf.exe\ttab here.fa.gz');
    const json = cli('profile', a, b, '--format', 'json');
    expect(json.status).toBe(0);
    expect(hasBidiControls(json.stdout)).toBe(false);
    expect(json.stdout).toContain('"file":"evil\\u202eanf.exe"');
    expect(JSON.parse(json.stdout).files.map((f: { file: string }) => f.file)).toEqual([a, b]);
  });
});
