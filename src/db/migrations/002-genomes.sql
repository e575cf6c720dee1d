-- Schema version 2: genomes, their k-mer profiles and embeddings, links to strains, growth
-- propagated from strains to genomes, and trained models.

-- One row per distinct genome (deduplicated by content_hash, see src/db/profile-blob.ts).
CREATE TABLE genomes (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,   -- display name: species + strain
  species       TEXT,               -- as labelled (manifest, header or user)
  strain        TEXT,               -- strain text as labelled, culture-collection numbers included
  organism_type TEXT    NOT NULL CHECK (organism_type IN ('bacteria', 'archaea', 'fungi', 'protist', 'virus', 'plasmid', 'metagenome', 'unknown')),
  ncbi_taxid    INTEGER,            -- from the strain it is linked to, when known
  gc_fraction   REAL,               -- (G+C)/(A+C+G+T)
  length_bp     INTEGER NOT NULL,   -- all sequence letters
  n_bp          INTEGER NOT NULL,   -- N letters
  other_bp      INTEGER NOT NULL DEFAULT 0,  -- other IUPAC codes and gaps
  records       INTEGER NOT NULL,   -- FASTA records
  first_header  TEXT,               -- header line of the first record (without '>')
  content_hash  TEXT    NOT NULL,   -- sha256 hex of the profile
  source_file   TEXT,               -- 'reference/Escherichia_coli_K-12_MG1655.fna.gz' or the user's file name
  origin        TEXT    NOT NULL DEFAULT 'user' CHECK (origin IN ('snapshot', 'user'))
);
CREATE INDEX genomes_content_hash ON genomes(content_hash);

-- Canonical k-mer counts (k = 1..6, 2,772 features in the order of src/core/kmer-layout.ts).
-- counts holds feature_count little-endian numbers: encoding 'u32le' (unsigned 32-bit integers,
-- used whenever every count fits) or 'f64le' (IEEE 754 doubles).
CREATE TABLE genome_profiles (
  genome_id      INTEGER PRIMARY KEY REFERENCES genomes(id) ON DELETE CASCADE,
  layout_version INTEGER NOT NULL,
  encoding       TEXT    NOT NULL CHECK (encoding IN ('u32le', 'f64le')),
  feature_count  INTEGER NOT NULL,
  counts         BLOB    NOT NULL
);

-- Trained models (genome VAE, media CVAE, ...). created_at is ISO 8601 UTC.
CREATE TABLE models (
  id           TEXT PRIMARY KEY,
  kind         TEXT NOT NULL,
  config_json  TEXT NOT NULL,
  weights      BLOB,
  metrics_json TEXT,
  created_at   TEXT NOT NULL
);

-- A genome's position in a model's latent space: dim little-endian float32 values.
CREATE TABLE genome_embeddings (
  genome_id INTEGER NOT NULL REFERENCES genomes(id) ON DELETE CASCADE,
  model_id  TEXT    NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  dim       INTEGER NOT NULL,
  vector    BLOB    NOT NULL,
  PRIMARY KEY (genome_id, model_id)
) WITHOUT ROWID;
CREATE INDEX genome_embeddings_model ON genome_embeddings(model_id);

-- Which BacDive strains a genome is (strain level) or belongs with (species, genus level).
-- level 'none' with strain_id NULL records a user's decision that no strain matches.
-- reviewed_by_user = 1: set or confirmed by a user; automatic linking leaves such genomes alone.
CREATE TABLE genome_strain_links (
  id               INTEGER PRIMARY KEY,
  genome_id        INTEGER NOT NULL REFERENCES genomes(id) ON DELETE CASCADE,
  strain_id        INTEGER REFERENCES strains(id),
  level            TEXT    NOT NULL CHECK (level IN ('strain', 'species', 'genus', 'none')),
  evidence         TEXT    NOT NULL,   -- e.g. 'DSM 20231 in manifest strain', 'species name Escherichia coli'
  reviewed_by_user INTEGER NOT NULL DEFAULT 0 CHECK (reviewed_by_user IN (0, 1)),
  CHECK ((level = 'none') = (strain_id IS NULL)),
  UNIQUE (genome_id, strain_id)
);
CREATE INDEX genome_strain_links_strain ON genome_strain_links(strain_id);

-- Growth propagated from strains to linked genomes (see src/db/propagate.ts for the rule).
-- One row per (genome, medium): the best evidence path; n_evidence counts all paths.
CREATE TABLE genome_growth (
  genome_id  INTEGER NOT NULL REFERENCES genomes(id) ON DELETE CASCADE,
  medium_id  TEXT    NOT NULL REFERENCES media(id),
  growth     TEXT    NOT NULL CHECK (growth IN ('yes', 'no')),
  confidence REAL    NOT NULL CHECK (confidence > 0 AND confidence <= 1),
  link_level TEXT    NOT NULL CHECK (link_level IN ('strain', 'species', 'genus')),
  source     TEXT    NOT NULL CHECK (source IN ('strain_growth', 'taxon_media')),
  evidence   TEXT    NOT NULL,   -- 'bacdive:4907' or 'NCBITaxon:562'
  n_evidence INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (genome_id, medium_id)
) WITHOUT ROWID;
CREATE INDEX genome_growth_medium ON genome_growth(medium_id);
