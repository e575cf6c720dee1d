/** `mediaforge eval media --cvae`: fold CVAEs that never saw the held-out genus, their likelihood alone and fused (a file of its own: the run takes minutes). */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/eval';
import { formatMediaEval, type MediaEvalReport } from '../../src/media/media-eval';
import { CVAE_WEIGHT } from '../../src/media/recommend';
import { runCommand } from '../helpers/run-cli';

const cli = (...argv: string[]) => runCommand({ run }, 'eval', ...argv);

describe('mediaforge eval media --cvae', () => {
  it('--cvae: the recipe CVAE likelihood from fold CVAEs that never saw the held-out genus, alone and fused; the product follows its decision', async () => {
    // Trains 5 small fold CVAEs (about 7 min on 2 cores beside the other unit files, 12 to 16 min
    // in all) the first time; later runs load them from the cache.
    const r = await cli('media', '--cvae', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fold CVAEs: fold 5\/5: (trained on \d+ pairs|loaded from the cache)/);
    const rep = JSON.parse(r.stdout) as MediaEvalReport;
    const c = rep.cvae!;
    expect(c.description).toMatch(/^5 fold CVAEs \(genus hash; each without its fold's genera; /);
    expect(c.rows.map((x) => x.name)).toContain('mediaforge + cvae rank term, weight 2 (a priori)');
    for (const x of c.rows) {
      expect(x.hits.all.queries, x.name).toBe(76);
      expect(x.hits.all.top1).toBeLessThanOrEqual(x.hits.all.top10);
    }
    // The plain rankings come with it (cli-eval-media.test.ts checks them in full): the product's
    // order is the score's, and it still beats every baseline at top-10.
    const top10 = (ranker: string) => rep.rows.find((x) => x.ranker === ranker && x.domain === 'all')!.hits.top10;
    expect(rep.genomes).toBe(76);
    expect(top10('mediaforge')).toBeGreaterThan(Math.max(top10('popular'), top10('kmer4-neighbors'), top10('latent-neighbors')));
    // The nested weight choice includes weight 0 (the product as it is).
    const nested = c.rows.find((x) => x.name === 'mediaforge + cvae, weight chosen by nested leave-genus-out')!;
    expect(Object.values(nested.picks!).reduce((a, b) => a + b, 0)).toBe(76);
    // The decision rule as written, and the product's weight follows it.
    const mf = (d: 'all' | 'archaea') => rep.rows.find((x) => x.ranker === 'mediaforge' && x.domain === d)!.hits;
    const j = c.rows.find((x) => x.name === c.decision.judged)!.hits;
    expect(c.decision.adopt).toBe(j.all.top10 >= mf('all').top10 && (j.archaea.top10 > mf('archaea').top10 || j.all.top1 > mf('all').top1));
    expect(CVAE_WEIGHT !== 0).toBe(c.decision.adopt);
    expect(formatMediaEval(rep)).toMatch(/decision \(fixed before the runs: .*\): mediaforge \+ cvae rank term, weight 2 \(a priori\): top-10 /);
  }, 1_800_000);
});
