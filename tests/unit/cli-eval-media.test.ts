/** `mediaforge eval media` on the bundled snapshot: every ranker and domain, baselines included, leave-genus-out. */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/eval';
import { runCommand } from '../helpers/run-cli';

const cli = (...argv: string[]) => runCommand({ run }, 'eval', ...argv);

describe('mediaforge eval media', () => {
  it('reports top-1/5/10 hit rates per ranker and domain over the genomes with known media', async () => {
    const r = await cli('media', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.genomes).toBe(76);
    const get = (ranker: string, domain: string) => rep.rows.find((x: { ranker: string; domain: string }) => x.ranker === ranker && x.domain === domain);
    for (const ranker of ['popular', 'kmer4-neighbors', 'latent-neighbors', 'mediaforge']) {
      for (const domain of ['all', 'bacteria', 'archaea']) {
        const row = get(ranker, domain);
        expect(row.hits.top1).toBeLessThanOrEqual(row.hits.top5);
        expect(row.hits.top5).toBeLessThanOrEqual(row.hits.top10);
      }
    }
    expect(get('mediaforge', 'all').hits.queries).toBe(get('mediaforge', 'bacteria').hits.queries + get('mediaforge', 'archaea').hits.queries);
    // The study's finding, reproduced: genome neighbours work for bacteria and not for archaea.
    expect(get('kmer4-neighbors', 'bacteria').hits.top10).toBeGreaterThan(0.7);
    expect(get('kmer4-neighbors', 'archaea').hits.top10).toBeLessThan(0.2);
    const text = await cli('media');
    expect(text.stdout).toMatch(/^leave-genus-out over 76 genomes/);
  });

  it('names a bad evaluation in one line', async () => {
    const r = await cli('recipes');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^mediaforge eval: unknown evaluation 'recipes' \(evaluations: media, phenotype\)/);
  });
});
