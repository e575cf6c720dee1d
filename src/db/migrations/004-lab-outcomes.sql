-- Schema version 4: what a user saw at the bench. A lab outcome says that a medium did or did not
-- grow a genome's organism, on a date, with a note. It is user evidence (source 'user'): it is kept
-- apart from genome_growth, which propagation rebuilds, and travels with exported snapshots.
CREATE TABLE lab_outcomes (
  id          INTEGER PRIMARY KEY,
  genome_id   INTEGER NOT NULL REFERENCES genomes(id) ON DELETE CASCADE,
  medium_id   TEXT    NOT NULL REFERENCES media(id),
  grew        INTEGER NOT NULL CHECK (grew IN (0, 1)),
  tested_on   TEXT    NOT NULL CHECK (tested_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  note        TEXT    NOT NULL DEFAULT '',
  source      TEXT    NOT NULL DEFAULT 'user' CHECK (source = 'user'),
  recorded_at TEXT    NOT NULL
);
CREATE INDEX lab_outcomes_genome ON lab_outcomes(genome_id, medium_id);
