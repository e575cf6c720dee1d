/**
 * Vitest's order, with the test files known to take minutes first within their project. On a
 * fresh clone vitest has no timings and starts the largest files first; a long file started last
 * would run alone at the end while the other worker idles (CI has 2 cores).
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files that run full leave-genus-out evaluations (minutes each on 2 cores). */
const SLOW_FILES = [/tests\/unit\/cli-eval-media[\w-]*\.test\.ts$/];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const slow = (f: TestSpecification) => (SLOW_FILES.some((r) => r.test(f.moduleId)) ? 0 : 1);
    const project = new Map<string, number>();
    for (const f of sorted) if (!project.has(f.project.name)) project.set(f.project.name, project.size);
    // Array.prototype.sort is stable: within a project and a class, vitest's own order stays.
    return sorted.sort((a, b) => project.get(a.project.name)! - project.get(b.project.name)! || slow(a) - slow(b));
  }
}
