/** `mediaforge profile FILE... [--format tsv|json] [--per-record] [--out PATH]` */
import { profileSource } from '../../core/profile';
import { formatProfilesJson, formatProfilesTsv } from '../../core/profile-format';
import type { GenomeProfile, ProfileProgress } from '../../core/profile-types';
import { writeFileAtomic } from '../../db/node-files';
import { stderrLine, UsageError } from '../cli-error';
import { showControls } from '../../core/untrusted-text';
import { choiceOption, parseCommandArgs } from '../command-args';
import { nodeFileSource } from '../node-source';

export const SUMMARY = 'count canonical k-mers (k = 1..6) of FASTA / FASTA.gz files';

export const HELP = `Usage: mediaforge profile FILE... [--format tsv|json] [--per-record] [--out PATH]

Counts canonical k-mers for k = 1..6 (2,772 features) in one pass over each FASTA or
gzip-compressed FASTA file (gzip is detected by content; multi-member/bgzip files work).
K-mers containing N or other IUPAC codes are skipped; k-mers never span two records.

Options:
  --format tsv|json  tsv (default): header "k<TAB>kmer<TAB>count", then one line per canonical
                     k-mer, k ascending, k-mers in lexicographic order, zeros included. Several
                     files give one count column per file.
                     json: layout, counts and summary figures (records, lengthBp, acgtBp, gcBp,
                     nBp, otherBp, gcFraction, nFraction) per file.
  --per-record       also profile each FASTA record (tsv: one column per record "file:id")
  --out PATH         write to PATH instead of standard output (written whole, or not at all)
  --quiet            no progress on stderr
  -h, --help         show this help
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { format: { type: 'string', default: 'tsv' }, 'per-record': { type: 'boolean', default: false }, out: { type: 'string' }, quiet: { type: 'boolean', default: false } },
    HELP,
    { positionals: true },
  );
  if (!args) return 0;
  const { values, positionals } = args;
  const format = choiceOption(values, 'format', ['tsv', 'json']);
  if (positionals.length === 0) throw new UsageError('no input FILE given');

  const showProgress = !values.quiet && process.stderr.isTTY === true;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const profiles: GenomeProfile[] = [];
  try {
    for (const path of positionals) {
      const source = nodeFileSource(path, path);
      const profile = await profileSource(
        source,
        { perRecord: values['per-record'] },
        { signal: controller.signal, onProgress: showProgress ? printProgress : undefined },
      );
      if (showProgress) process.stderr.write('\r\x1b[K');
      for (const w of profile.warnings ?? []) process.stderr.write(stderrLine(`mediaforge profile: warning: ${w}`));
      profiles.push(profile);
    }
  } finally {
    process.off('SIGINT', onSigint);
  }

  const text = format === 'json' ? formatProfilesJson(profiles) : formatProfilesTsv(profiles);
  if (values.out) writeFileAtomic(values.out, new TextEncoder().encode(text));
  else await writeStdout(text);
  return 0;
}

function printProgress(p: ProfileProgress): void {
  const pct = p.totalBytes ? ` ${((100 * p.bytesRead) / p.totalBytes).toFixed(0)}%` : '';
  const eta = p.etaSec !== undefined ? `, ETA ${p.etaSec.toFixed(0)} s` : '';
  process.stderr.write(`\r\x1b[K${showControls(p.name)}:${pct} ${(p.basesDone / 1e6).toFixed(1)} Mbp, ${p.mbpPerSec.toFixed(1)} Mbp/s${eta}`);
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
