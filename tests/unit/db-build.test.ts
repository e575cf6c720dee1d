/**
 * The snapshot builder (src/db/node-build.ts) and the quality report (src/db/stats.ts): every TSV row
 * with a valid key reaches the snapshot, and `db stats` numbers equal counts computed here from the
 * TSVs with a plain split on tabs. Runs on the fixture subset always, and on ../shared/data when it
 * is there (skipped, with the reason in its name, when it is not).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../../src/db/node-build';
import { openSnapshot } from '../../src/db/snapshot-file';
import { collectStats, formatStatsText, type DbStats } from '../../src/db/stats';
import { REPO_ROOT } from '../helpers/data';
import { all, build, bundledCvae, bundledModel, FIXTURE_DATA, HAS_SHARED_DATA, mediadiveDir, one, readRows, SHARED_DATA, sql } from './db-test-helpers';

const count = <T>(xs: T[], f: (x: T) => boolean) => xs.reduce((n, x) => n + (f(x) ? 1 : 0), 0);
const distinct = <T>(xs: T[]) => new Set(xs).size;

function suite(label: string, dataDir: string, options: { determinism: boolean; bundled?: boolean }) {
  describe(label, () => {
    let result: BuildResult;
    let db: Database;
    let stats: DbStats;
    const tsv = (name: string) => readRows(join(mediadiveDir(dataDir), `${name}.tsv`));
    let media: Record<string, string>[];
    let composition: Record<string, string>[];
    let strains: Record<string, string>[];
    let growth: Record<string, string>[];
    let conditions: Record<string, string>[];
    let taxa: Record<string, string>[];
    let manifest: Record<string, string>[];

    beforeAll(async () => {
      result = await build(dataDir, options.bundled ? { model: (await bundledModel()) ?? undefined, cvae: (await bundledCvae()) ?? undefined } : {});
      db = openSnapshot(await sql(), result.bytes, label).db;
      stats = collectStats(db);
      media = tsv('media');
      composition = tsv('media_composition');
      strains = tsv('strains');
      growth = tsv('strain_growth');
      conditions = tsv('strain_conditions');
      taxa = tsv('taxon_media');
      manifest = readRows(join(dataDir, 'genomes', 'manifest.tsv')).filter((r) => r.file.startsWith('reference/'));
    }, 600_000); // the shared build profiles every genome twice (k-mers; protein features of the labelled ones): minutes on a loaded machine
    afterAll(() => db?.close());
    const v = (key: string) => {
      expect(stats.values, key).toHaveProperty([key]);
      return stats.values[key];
    };

    it('skips no row', () => {
      expect(result.mediadive.skipped).toEqual([]);
    });

    it('has every medium, plus a stub for each retired medium named by growth links', () => {
      const ids = new Set(media.map((m) => m.medium_id));
      const named = new Set([...growth.map((g) => g.medium_id), ...taxa.flatMap((t) => t.media_ids.split('|').map((m) => m.replace('mediadive.medium:', '')))]);
      const retired = [...named].filter((m) => !ids.has(m));
      expect(v('tables.media')).toBe(media.length + retired.length);
      expect(v('media.inMediadive')).toBe(media.length);
      expect(v('media.retired')).toBe(retired.length);
      expect(v('media.complex')).toBe(count(media, (m) => m.complex_medium === '1'));
      expect(v('media.defined')).toBe(count(media, (m) => m.complex_medium === '0'));
      for (const c of new Set(media.map((m) => m.source))) expect(v(`media.collection_${c}`), c).toBe(count(media, (m) => m.source === c));
      const withComp = new Set(composition.map((c) => c.medium_id));
      expect(v('media.withComposition')).toBe(withComp.size);
      expect(v('media.withoutComposition')).toBe(media.length + retired.length - withComp.size);
      expect(v('media.withoutCompositionInMediadive')).toBe(count(media, (m) => !withComp.has(m.medium_id)));
      expect(v('media.withFinalComposition')).toBe(distinct(composition.filter((c) => c.conc_basis === 'final_medium').map((c) => c.medium_id)));
      expect(v('media.withStrainGrowth')).toBe(distinct(growth.map((g) => g.medium_id)));
    });

    it('has every solution, ingredient and recipe line, final and stock lines apart', () => {
      expect(v('tables.solutions')).toBe(tsv('solutions').length);
      expect(v('tables.ingredients')).toBe(tsv('ingredients').length);
      expect(v('composition.rows')).toBe(composition.length);
      expect(v('composition.finalRows')).toBe(count(composition, (c) => c.conc_basis === 'final_medium'));
      expect(v('composition.stockRows')).toBe(count(composition, (c) => c.conc_basis === 'stock_solution'));
      expect(v('composition.ingredientsUsed')).toBe(distinct(composition.map((c) => c.ingredient_id)));
      // Stock concentrations never sit in the final columns.
      expect(one(db, "SELECT count(*) FROM media_composition WHERE conc_basis = 'stock_solution' AND (g_per_l IS NOT NULL OR mmol_per_l IS NOT NULL OR ml_per_l IS NOT NULL)")).toBe(0);
      expect(one(db, "SELECT count(*) FROM media_composition WHERE conc_basis = 'stock_solution' AND stock_g_per_l IS NOT NULL")).toBe(
        count(composition, (c) => c.conc_basis === 'stock_solution' && c.g_per_l !== ''),
      );
      // Spot check: the first final line's g/L survives as a number.
      const first = composition.find((c) => c.conc_basis === 'final_medium' && c.g_per_l !== '')!;
      expect(one(db, 'SELECT g_per_l FROM media_composition WHERE medium_id = ? AND solution_id = ? AND recipe_order = ?', [first.medium_id, Number(first.solution_id), Number(first.recipe_order)])).toBe(Number(first.g_per_l));
    });

    it('has every strain, plus a stub for each type strain known only from strain_conditions.tsv', () => {
      const ids = new Set(strains.map((s) => s.strain_id));
      const condOnly = new Set(conditions.map((c) => c.strain_id).filter((id) => !ids.has(id)));
      expect(v('strains.total')).toBe(strains.length + condOnly.size);
      expect(v('strains.typeStrains')).toBe(count(strains, (s) => s.is_type_strain === '1') + condOnly.size);
      expect(v('strains.withDsmNumber')).toBe(count(strains, (s) => s.dsm_number !== ''));
      expect(v('strains.withMedium')).toBe(distinct(growth.map((g) => g.strain_id)));
      expect(v('strains.withoutMedium')).toBe(strains.length + condOnly.size - distinct(growth.map((g) => g.strain_id)));
      expect(v('strains.withConditions')).toBe(distinct(conditions.map((c) => c.strain_id)));
      expect(v('strains.withoutName')).toBe(count(strains, (s) => s.species === ''));
      // Per domain, for the strains of strains.tsv.
      for (const d of ['Bacteria', 'Archaea']) {
        const got = one(db, `SELECT count(*) FROM strains WHERE domain = ? AND id IN (${strains.map((s) => s.bacdive_id).join(',')})`, [d]);
        expect(got, d).toBe(count(strains, (s) => s.domain === d));
      }
    });

    it('has every growth record, condition and taxon-medium pair', () => {
      expect(v('strainGrowth.rows')).toBe(growth.length);
      expect(v('strainGrowth.growthYes')).toBe(count(growth, (g) => g.growth === 'yes'));
      const domainOf = new Map(strains.map((s) => [s.strain_id, s.domain.startsWith('unresolved') ? 'unresolved' : s.domain]));
      for (const d of new Set(domainOf.values())) {
        expect(v(`strainGrowth.domain_${d}`), d).toBe(count(growth, (g) => domainOf.get(g.strain_id) === d));
        expect(v(`strainGrowth.mediaOfDomain_${d}`), d).toBe(distinct(growth.filter((g) => domainOf.get(g.strain_id) === d).map((g) => g.medium_id)));
      }
      expect(v('conditions.rows')).toBe(conditions.length);
      for (const c of new Set(conditions.map((r) => r.condition))) expect(v(`conditions.condition_${c}`), c).toBe(count(conditions, (r) => r.condition === c));
      const pairs = taxa.reduce((n, t) => n + t.media_ids.split('|').length, 0);
      expect(pairs).toBe(taxa.reduce((n, t) => n + Number(t.medium_count), 0));
      expect(v('taxonMedia.rows')).toBe(pairs);
      expect(v('taxonMedia.taxa')).toBe(taxa.length);
      expect(v('taxonMedia.media')).toBe(distinct(taxa.flatMap((t) => t.media_ids.split('|'))));
    });

    it('has one genome per distinct reference sequence, each with a profile, and no orphan rows', () => {
      const dups = result.genomes.filter((g) => g.duplicateOf !== null).length;
      expect(result.genomes).toHaveLength(manifest.length);
      expect(v('genomes.total')).toBe(manifest.length - dups);
      expect(v('genomes.withProfile')).toBe(manifest.length - dups);
      expect(v('genomes.duplicates')).toBe(0);
      const byType = new Map<string, number>();
      for (const g of result.genomes) if (g.duplicateOf === null) byType.set(g.organismType, (byType.get(g.organismType) ?? 0) + 1);
      for (const [t, n] of byType) expect(v(`genomes.type_${t}`), t).toBe(n);
      expect(v('links.strain') + v('links.species') + v('links.genus') + v('links.none') + v('links.unlinked')).toBe(v('genomes.total'));
      for (const s of stats.sections.find((x) => x.id === 'orphans')!.rows) expect(s.value, s.label).toBe(0);
      expect(formatStatsText(stats)).toMatch(/Orphan rows/);
    });

    if (dataDir === SHARED_DATA) it('adds each collection record of records.tsv.gz as a genome row without a profile', () => {
      const text = gunzipSync(readFileSync(join(dataDir, 'genomes', 'records.tsv.gz'))).toString('utf8').split('\n').filter(Boolean);
      const cols = text[0].split('\t');
      const rows = text.slice(1).map((l) => Object.fromEntries(l.split('\t').map((x, i) => [cols[i], x])));
      // Records with at least one A/C/G/T (records.tsv gives them a GC %).
      const expected = rows.filter((r) => r.file.startsWith('collection/') && r.gc_percent !== '' && Number.isFinite(Number(r.gc_percent)));
      expect(result.records.read).toBe(expected.length);
      expect(v('records.total')).toBe(result.records.added);
      expect(result.records.added + result.records.duplicates).toBe(expected.length);
      expect(result.records.duplicates).toBeLessThan(20);
      expect(one(db, 'SELECT count(*) FROM genomes g JOIN genome_profiles p ON p.genome_id = g.id WHERE g.record_id IS NOT NULL')).toBe(0);
      const byType = new Map<string, number>();
      for (const r of expected) byType.set(r.record_type, (byType.get(r.record_type) ?? 0) + 1);
      for (const [t, n] of byType) expect(v(`records.type_${t}`), t).toBeLessThanOrEqual(n);
    });

    it('links every reference genome at strain level to the BacDive strain holding one of its DSM/ATCC/JCM/... numbers', () => {
      // Numbers parsed here with a simple pattern of its own; clauses saying "not" / "type is" name other strains.
      const re = /\b(DSM|ATCC|JCM|NBRC|NCTC|CIP|KCTC)[ _:-]?((?:BAA-)?\d+(?:\.\d+)?)/g;
      const holders = (n: string) =>
        strains.filter((s) => s.culture_collection_numbers.split(', ').includes(n) || s.dsm_number === n).map((s) => Number(s.bacdive_id));
      let checked = 0;
      for (const m of manifest) {
        const text = m.strain.split(/[(;)]/).filter((c) => !/\bnot\b|\btype is\b/.test(c)).join(' ');
        const expected = new Set([...text.matchAll(re)].flatMap((x) => holders(`${x[1]} ${x[2]}`)));
        if (!expected.size) continue;
        const g = result.genomes.find((x) => x.file === m.file)!;
        const links = all(db, "SELECT strain_id FROM genome_strain_links WHERE genome_id = ? AND level = 'strain'", [g.genomeId]).map((r) => r.strain_id);
        for (const id of expected) expect(links, `${m.file}: bacdive:${id}`).toContain(id);
        checked++;
      }
      if (dataDir === SHARED_DATA) expect(checked).toBeGreaterThanOrEqual(15);
    });

    // The full build takes ~10 s, so it is built twice only on the fixture (the CLI report compares two full builds).
    // The snapshot in public/ must be exactly what the builder makes of the shared data today.
    if (options.bundled) it('equals the bundled public/mediaforge-snapshot.sqlite.gz byte for byte (not stale)', () => {
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      const bundled = readFileSync(join(REPO_ROOT, 'public/mediaforge-snapshot.sqlite.gz'));
      expect(sha(result.bytes), 'rebuild it with `npx mediaforge db build`').toBe(sha(bundled));
    });

    if (options.determinism) it('is deterministic: the same input gives the same bytes', async () => {
      const again = await build(dataDir);
      const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      expect(sha(again.bytes)).toBe(sha(result.bytes));
      expect(gunzipSync(result.bytes).length).toBe(result.sqliteBytes);
    });
  });
}

suite('snapshot from the fixture subset (tests/fixtures/mediadive)', FIXTURE_DATA, { determinism: true });

// The same checks run on the full shared data when it is beside the checkout (developers, CI);
// a fresh clone has only tests/fixtures and runs them on the fixture subset above.
if (HAS_SHARED_DATA) suite(`snapshot from the shared data (${SHARED_DATA})`, SHARED_DATA, { determinism: false, bundled: true });
