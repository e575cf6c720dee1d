-- Schema version 3: genomes that are one record of a multi-record file (collection contigs,
-- MAG contigs, 3 kb fragments), and marker-gene evidence of a genome's domain (rRNA probes).

-- 'genome' for a whole FASTA file; for one record of a collection file the record type of
-- records.tsv ('chromosome', 'plasmid', 'contig_or_scaffold', 'genome_fragment_3kb', ...).
ALTER TABLE genomes ADD COLUMN record_type TEXT NOT NULL DEFAULT 'genome';
-- The FASTA record id when the row is one record of source_file; NULL for a whole file.
ALTER TABLE genomes ADD COLUMN record_id TEXT;

-- Domain evidence from marker sequences (see src/core/rrna-markers.ts): which domain's
-- rRNA signature sites the genome carries. 'unknown' when it has none (drafts, fragments).
CREATE TABLE genome_markers (
  genome_id     INTEGER PRIMARY KEY REFERENCES genomes(id) ON DELETE CASCADE,
  method        TEXT NOT NULL,
  domain_call   TEXT NOT NULL CHECK (domain_call IN ('bacteria', 'archaea', 'eukarya', 'unknown')),
  evidence_json TEXT NOT NULL
);
