/** Merging snapshots with models: records keep their type, marker evidence travels, checkpoints stay home. */
import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '../../src/core/kmer-layout';
import { addGenome } from '../../src/db/genomes';
import { mergeDatabase } from '../../src/db/merge';
import { loadDomainCalls, loadEmbeddings, saveEmbeddings, saveMarkers, saveModel } from '../../src/db/models';
import { createDatabase } from '../../src/db/snapshot-file';
import { one, sql } from './db-test-helpers';

const profile = (seed: number) => ({
  counts: Float64Array.from({ length: FEATURE_COUNT }, (_, i) => ((i * seed) % 11) + 1),
  lengthBp: 1000 + seed,
  nBp: 0,
  otherBp: 0,
  gcFraction: 0.5,
  records: 1,
});

describe('mergeDatabase with models, embeddings and markers', () => {
  it('copies records with their type, their marker evidence and embeddings, and skips training checkpoints', async () => {
    const SQL = await sql();
    const source = createDatabase(SQL);
    const target = createDatabase(SQL);
    const rec = await addGenome(source, profile(3), { name: 'contig 7', organismType: 'archaea', recordType: 'contig_or_scaffold', recordId: 'c7', sourceFile: 'mags.fa' }, { storeProfile: false });
    saveMarkers(source, { genomeId: rec.genomeId, method: 'ssu-rrna-sites-v1', domainCall: 'archaea', evidence: { genes: 1 } });
    const model = { kind: 'genome-vae', config: { a: 1 }, weights: new Uint8Array([1, 2, 3, 4]), metrics: null, createdAt: '2026-12-01T00:00:00Z' };
    saveModel(source, { id: 'genome-vae-aaaaaaaaaaaa', ...model });
    saveModel(source, { id: 'checkpoint-run-1', ...model, kind: 'genome-vae-checkpoint' });
    saveEmbeddings(source, 'genome-vae-aaaaaaaaaaaa', [rec.genomeId], Float32Array.from([0.5, -1]), 2);

    const report = mergeDatabase(target, source);
    expect(report.genomesAdded).toBe(1);
    expect(report.modelsAdded).toBe(1);
    expect(report.embeddingsAdded).toBe(1);
    const id = Number(one(target, 'SELECT id FROM genomes'));
    expect(one(target, 'SELECT record_type FROM genomes WHERE id = ?', [id])).toBe('contig_or_scaffold');
    expect(one(target, 'SELECT record_id FROM genomes WHERE id = ?', [id])).toBe('c7');
    expect(one(target, 'SELECT count(*) FROM genome_profiles')).toBe(0);
    expect(loadDomainCalls(target).get(id)).toBe('archaea');
    expect(one(target, "SELECT count(*) FROM models WHERE kind = 'genome-vae-checkpoint'")).toBe(0);
    expect(Array.from(loadEmbeddings(target, 'genome-vae-aaaaaaaaaaaa').vectors)).toEqual([0.5, -1]);
    // Merging again adds nothing.
    expect(mergeDatabase(target, source)).toMatchObject({ genomesAdded: 0, modelsAdded: 0, embeddingsAdded: 0 });
  });
});
