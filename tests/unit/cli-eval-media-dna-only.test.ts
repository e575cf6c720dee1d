/** `mediaforge eval media --dna-only`: the ranking with conditions from the DNA-only phenotype models (a file of its own: a full run takes minutes). */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/eval';
import type { MediaEvalReport } from '../../src/media/media-eval';
import { runCommand } from '../helpers/run-cli';

const cli = (...argv: string[]) => runCommand({ run }, 'eval', ...argv);

describe('mediaforge eval media --dna-only', () => {
  it('--dna-only: conditions from DNA-only phenotype models (the short-input fallback) still beat every baseline at top-10', async () => {
    const r = await cli('media', '--json', '--dna-only');
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as MediaEvalReport;
    expect(rep.method).toMatch(/DNA-only phenotype models \(GC \+ 1–3-mer CLR\)/);
    const top10 = (ranker: string) => rep.rows.find((x) => x.ranker === ranker && x.domain === 'all')!.hits.top10;
    expect(top10('mediaforge')).toBeGreaterThan(Math.max(top10('popular'), top10('kmer4-neighbors'), top10('latent-neighbors')));
  }, 600_000);
});
