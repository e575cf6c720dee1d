/**
 * `mediaforge db export-workspace`, `db preview` and `db import` of a workspace file
 * (src/cli/commands/db.ts over src/db/workspace-file.ts), in-process with real files.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import type { SqlJsStatic } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dbCommand from '../../src/cli/commands/db';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { addGenome } from '../../src/db/genomes';
import { recordLabOutcome } from '../../src/db/lab-outcomes';
import { saveEmbeddings, saveModel, setActiveModelId } from '../../src/db/models';
import { exportSnapshot, openSnapshot } from '../../src/db/snapshot-file';
import { WORKSPACE_MANIFEST_KEY } from '../../src/db/workspace-file';
import { runCommand } from '../helpers/run-cli';
import { all, mediaDb, sql } from './db-test-helpers';

const cli = (...argv: string[]) => runCommand(dbCommand, 'db', ...argv);
const profile = (seed: number) => ({ counts: Float64Array.from({ length: FEATURE_COUNT }, (_, i) => ((i * seed) % 19) + 1), lengthBp: 4000 + seed, nBp: 0, otherBp: 0, gcFraction: 0.45, records: 1 });

let dir: string;
let SQL: SqlJsStatic;
const path = (f: string) => join(dir, f);

beforeAll(async () => {
  SQL = await sql();
  dir = mkdtempSync(join(tmpdir(), 'mf-workspace-cli-'));
  const ref = await mediaDb();
  saveModel(ref, { id: 'ref-vae', kind: 'genome-vae', config: {}, weights: new Uint8Array(32), metrics: null, createdAt: '2026-12-01T00:00:00.000Z' });
  setActiveModelId(ref, 'ref-vae');
  const r = await addGenome(ref, profile(2), { name: 'reference one', origin: 'snapshot' });
  saveEmbeddings(ref, 'ref-vae', [r.genomeId], new Float32Array([1, 0, 0, 0]), 4);
  writeFileSync(path('reference.sqlite.gz'), exportSnapshot(ref, { gzip: true }));
  const u = (await addGenome(ref, profile(7), { name: 'isolate 7', sourceFile: 'isolate-7.fa', origin: 'user' })).genomeId;
  saveEmbeddings(ref, 'ref-vae', [u], new Float32Array([0, 1, 0, 0]), 4);
  recordLabOutcome(ref, { genomeId: u, mediumId: '1', grew: true, testedOn: '2026-11-30', note: 'grew overnight' });
  writeFileSync(path('mine.sqlite.gz'), exportSnapshot(ref, { gzip: true }));
  ref.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = (f: string) => openSnapshot(SQL, new Uint8Array(readFileSync(path(f))), f, { integrityCheck: false }).db;

describe('db export-workspace, preview and import', () => {
  it('has help for the new subcommands, and they are in the command list', async () => {
    for (const sub of ['export-workspace', 'preview']) {
      const r = await cli(sub, '--help');
      expect(r.code, sub).toBe(0);
      expect(r.stdout, sub).toMatch(new RegExp(`^Usage: mediaforge db ${sub}`));
    }
    expect((await cli('--help')).stdout).toMatch(/export-workspace[\s\S]*preview/);
    const bad = await cli('export-workspace');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--db FILE is required/);
  });

  it('exports the workspace, previews it (text and JSON), and imports it as replace and merge', async () => {
    const ex = await cli('export-workspace', '--db', path('mine.sqlite.gz'), '--out', path('ws.sqlite.gz'), '--reference', path('reference.sqlite.gz'));
    expect(ex.stderr).toBe('');
    expect(ex.code).toBe(0);
    expect(ex.stdout).toMatch(/^wrote .*ws\.sqlite\.gz: [\d,]+ bytes/);
    expect(ex.stdout).toContain('genomes 1 (+0 reference genomes referred to), profiles 1, links 0, embeddings 1, models 0, lab outcomes 1 (1 with notes)');

    const text = await cli('preview', path('ws.sqlite.gz'), '--db', path('reference.sqlite.gz'));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ws\.sqlite\.gz: MediaForge workspace file\n/);
    expect(text.stdout).toMatch(/workspace format 1, written by MediaForge \d+\.\d+\.\d+ at 20\d\d-/);
    expect(text.stdout).toMatch(/lab outcomes +1 \(1 with notes\)/);
    expect(text.stdout).toMatch(/needs +reference model ref-vae/);
    expect(text.stdout).toMatch(/replace: Replace starts again from the bundled reference data plus this workspace: your 0 genomes and 0 lab outcomes are dropped/);
    const json = JSON.parse((await cli('preview', path('ws.sqlite.gz'), '--json')).stdout);
    expect(json.preview).toMatchObject({ kind: 'workspace', formatVersion: 1, counts: { genomes: 1, labOutcomes: 1, embeddings: 1 }, genomeNames: ['isolate 7'] });
    expect(json.current).toBeNull();
    const full = JSON.parse((await cli('preview', path('mine.sqlite.gz'), '--json')).stdout);
    expect(full.preview).toMatchObject({ kind: 'snapshot', formatVersion: null, counts: { genomes: 1, referenceGenomes: 1 } });

    // Replace: the reference data plus the workspace; then a merge of the same file adds nothing.
    const rep = await cli('import', path('ws.sqlite.gz'), '--into', path('new.sqlite.gz'), '--reference', path('reference.sqlite.gz'));
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toMatch(/^created .*new\.sqlite\.gz from .*reference\.sqlite\.gz and workspace .*ws\.sqlite\.gz: genomes \+1 \(0 already present\).* lab outcomes \+1/);
    const q = (f: string) => {
      const d = open(f);
      const out = {
        genomes: all(d, 'SELECT name, content_hash, origin FROM genomes ORDER BY content_hash'),
        embeddings: all(d, 'SELECT g.content_hash, e.model_id, hex(e.vector) AS v FROM genome_embeddings e JOIN genomes g ON g.id = e.genome_id ORDER BY 1'),
        outcomes: all(d, 'SELECT g.content_hash, o.medium_id, o.grew, o.tested_on, o.note, o.recorded_at FROM lab_outcomes o JOIN genomes g ON g.id = o.genome_id'),
        media: all(d, 'SELECT count(*) AS n FROM media'),
      };
      d.close();
      return out;
    };
    expect(q('new.sqlite.gz')).toEqual(q('mine.sqlite.gz'));
    const again = await cli('import', path('ws.sqlite.gz'), '--into', path('new.sqlite.gz'), '--merge');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/genomes \+0 \(1 already present\).* lab outcomes \+0 \(1 already present\)/);
  });

  it('refuses bad files and a missing reference with one line and exit code 1, writing nothing', async () => {
    writeFileSync(path('notes.txt'), 'not a database\n'.repeat(20));
    const garbage = await cli('preview', path('notes.txt'));
    expect(garbage.code).toBe(1);
    expect(garbage.stderr.trim().split('\n')).toHaveLength(1);
    expect(garbage.stderr).toMatch(/notes\.txt: not an SQLite database/);

    const ws = open('ws.sqlite.gz');
    const m = JSON.parse(String(ws.exec('SELECT value FROM meta WHERE key = ?', [WORKSPACE_MANIFEST_KEY])[0].values[0][0]));
    ws.run('UPDATE meta SET value = ? WHERE key = ?', [JSON.stringify({ ...m, formatVersion: 7 }), WORKSPACE_MANIFEST_KEY]);
    writeFileSync(path('future.sqlite.gz'), gzipSync(ws.export()));
    ws.close();
    const future = await cli('import', path('future.sqlite.gz'), '--into', path('other.sqlite.gz'), '--reference', path('reference.sqlite.gz'));
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/future\.sqlite\.gz: workspace format version 7 is newer than this MediaForge understands \(1; written by MediaForge/);
    expect(existsSync(path('other.sqlite.gz'))).toBe(false);

    const noRef = await cli('export-workspace', '--db', path('mine.sqlite.gz'), '--out', path('x.sqlite.gz'), '--reference', path('nope.sqlite.gz'));
    expect(noRef.code).toBe(1);
    expect(noRef.stderr).toMatch(/nope\.sqlite\.gz: no such file \(the reference snapshot\)/);
    expect(existsSync(path('x.sqlite.gz'))).toBe(false);
  });
});
