-- MediaForge growth database, schema version 1: culture media (DSMZ MediaDive) and strains (BacDive).
-- Data: MediaDive (Koblitz et al. 2023, NAR, doi:10.1093/nar/gkac803) and BacDive (Schober et al.
-- 2025, NAR, doi:10.1093/nar/gkae959), CC BY 4.0. See the `sources` table for each file's origin.

-- Key/value facts about the database: how a snapshot was built, credits, data file checksums.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Where rows came from; other tables point here instead of repeating long provenance strings.
CREATE TABLE sources (
  id    INTEGER PRIMARY KEY,
  label TEXT NOT NULL UNIQUE
);

-- One row per medium. `id` is the MediaDive id as published: '1', '1a', 'J346', 'C12', 'P1'.
CREATE TABLE media (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  is_complex           INTEGER CHECK (is_complex IN (0, 1)),  -- 1 = complex (undefined ingredients), 0 = chemically defined
  min_ph               REAL,
  max_ph               REAL,
  collection           TEXT,    -- whose recipe: DSMZ | JCM | CCAP | public
  link                 TEXT,    -- recipe PDF or web page
  reference            TEXT,
  description          TEXT,
  organism_group_hint  TEXT,    -- keyword heuristic, not a MediaDive field: treat as weak
  culturemech_category TEXT,
  in_mediadive         INTEGER NOT NULL DEFAULT 1 CHECK (in_mediadive IN (0, 1))  -- 0 = retired medium known only from BacDive links
);

-- MediaDive solutions (a medium's main solution, and stock solutions shared between media).
CREATE TABLE solutions (
  id                      INTEGER PRIMARY KEY,
  name                    TEXT NOT NULL,
  volume_ml               REAL,   -- prepared volume of the solution, ml
  main_solution_of_medium TEXT    -- as named ("Main sol. <medium>"); not a foreign key (some name retired media)
);

-- Which solutions a medium is made from; is_main = 1 for the solution whose litre is the final medium.
CREATE TABLE media_solutions (
  medium_id   TEXT    NOT NULL REFERENCES media(id),
  solution_id INTEGER NOT NULL REFERENCES solutions(id),
  position    INTEGER NOT NULL,
  is_main     INTEGER NOT NULL DEFAULT 0 CHECK (is_main IN (0, 1)),
  PRIMARY KEY (medium_id, solution_id)
) WITHOUT ROWID;
CREATE INDEX media_solutions_solution ON media_solutions(solution_id);

CREATE TABLE ingredients (
  id          INTEGER PRIMARY KEY,
  name        TEXT,
  chebi       TEXT,    -- 'CHEBI:n'
  cas_rn      TEXT,
  pubchem     TEXT,
  kegg        TEXT,
  formula     TEXT,
  molar_mass  REAL,    -- g/mol
  density     REAL,    -- g/ml
  base_group  TEXT,    -- MediaDive base-compound group, e.g. 'MgSO4'
  element     TEXT,    -- MediaDive element class ('Undefined' for mixtures)
  is_complex  INTEGER CHECK (is_complex IN (0, 1))  -- 1 = no formula (peptones, extracts, ...): a heuristic
);

-- Recipe lines: medium -> solution -> ingredient.
-- conc_basis = 'final_medium': the line belongs to the medium's main solution, and g_per_l /
--   mmol_per_l / ml_per_l are FINAL concentrations in the medium.
-- conc_basis = 'stock_solution': the line belongs to a sub-solution (trace elements, vitamins, ...).
--   Only stock_g_per_l / stock_mmol_per_l / stock_ml_per_l are set: concentrations per litre OF THAT
--   STOCK, whose volume in the medium is unknown. The final columns stay NULL, so SUM(g_per_l) never
--   mixes the two; treat these rows as "ingredient present".
CREATE TABLE media_composition (
  medium_id        TEXT    NOT NULL REFERENCES media(id),
  solution_id      INTEGER NOT NULL REFERENCES solutions(id),
  recipe_order     INTEGER NOT NULL,
  ingredient_id    INTEGER NOT NULL REFERENCES ingredients(id),
  conc_basis       TEXT    NOT NULL CHECK (conc_basis IN ('final_medium', 'stock_solution')),
  g_per_l          REAL,
  mmol_per_l       REAL,
  ml_per_l         REAL,
  stock_g_per_l    REAL,
  stock_mmol_per_l REAL,
  stock_ml_per_l   REAL,
  value_original   TEXT,   -- value and unit as CultureMech gives them (G_PER_L, PERCENT_V_V, MG_PER_L, ...)
  unit_original    TEXT,
  CHECK (conc_basis = 'stock_solution' OR (stock_g_per_l IS NULL AND stock_mmol_per_l IS NULL AND stock_ml_per_l IS NULL)),
  CHECK (conc_basis = 'final_medium' OR (g_per_l IS NULL AND mmol_per_l IS NULL AND ml_per_l IS NULL)),
  PRIMARY KEY (medium_id, solution_id, recipe_order)
) WITHOUT ROWID;
CREATE INDEX media_composition_ingredient ON media_composition(ingredient_id);

-- Final concentrations only (main-solution lines): safe to sum per medium.
CREATE VIEW medium_final_composition AS
  SELECT medium_id, ingredient_id, recipe_order, g_per_l, mmol_per_l, ml_per_l
  FROM media_composition WHERE conc_basis = 'final_medium';

-- BacDive strains. `id` is the BacDive ID (the TSVs write 'bacdive:<id>').
CREATE TABLE strains (
  id                         INTEGER PRIMARY KEY,
  species                    TEXT,     -- LPSN name from the type-strain export, else the NCBI taxon label
  ncbi_taxid                 INTEGER,  -- species- or strain-level NCBI taxon
  ncbi_taxon_label           TEXT,
  dsm_number                 TEXT,     -- 'DSM 20231' (type strains only)
  culture_collection_numbers TEXT,     -- as BacDive lists them: 'DSM 15551, IFO 16470, ...'
  designation                TEXT,     -- strain designation(s): 'K1', 'GSS 1, GSS1'
  is_type_strain             INTEGER CHECK (is_type_strain IN (0, 1)),  -- 1 = in the BacDive type-strain export; NULL = unknown
  domain                     TEXT CHECK (domain IN ('Bacteria', 'Archaea', 'unresolved')),  -- inferred from the genus; NULL = unknown
  domain_source_id           INTEGER REFERENCES sources(id),  -- how the domain was inferred
  metadata_source_id         INTEGER REFERENCES sources(id)
);
CREATE INDEX strains_taxid ON strains(ncbi_taxid);

-- Strain -> medium growth records. growth 'yes'/'no'; quality excellent|good|fair|poor, NULL = unknown.
CREATE TABLE strain_growth (
  strain_id INTEGER NOT NULL REFERENCES strains(id),
  medium_id TEXT    NOT NULL REFERENCES media(id),
  growth    TEXT    NOT NULL CHECK (growth IN ('yes', 'no')),
  quality   TEXT    CHECK (quality IN ('excellent', 'good', 'fair', 'poor')),
  source_id INTEGER REFERENCES sources(id),
  PRIMARY KEY (strain_id, medium_id)
) WITHOUT ROWID;
CREATE INDEX strain_growth_medium ON strain_growth(medium_id);

-- BacDive growth conditions in long format. min_value / max_value are parsed from `value`
-- ('25-41' -> 25, 41; '<2' -> NULL, 2); units: temperature_growth_C in degrees C, pH in pH units,
-- salt_concentration in the unit(s) named by `kind`, incubation_period in days; oxygen_tolerance is a class.
CREATE TABLE strain_conditions (
  strain_id   INTEGER NOT NULL REFERENCES strains(id),
  id          INTEGER NOT NULL,   -- line of the row in strain_conditions.tsv (header = 1); keeps file order
  condition   TEXT    NOT NULL,   -- temperature_growth_C | oxygen_tolerance | pH | salt_concentration | incubation_period
  value       TEXT    NOT NULL,
  min_value   REAL,
  max_value   REAL,
  kind        TEXT,
  test_result TEXT,
  source_id   INTEGER REFERENCES sources(id),
  PRIMARY KEY (strain_id, id)
) WITHOUT ROWID;   -- clustered by strain: a strain's conditions are one range scan, no extra index

-- NCBI taxon -> medium "grows in" links at taxon level (no strain identity, no quality).
CREATE TABLE taxon_media (
  ncbi_taxid INTEGER NOT NULL,
  medium_id  TEXT    NOT NULL REFERENCES media(id),
  PRIMARY KEY (ncbi_taxid, medium_id)
) WITHOUT ROWID;
CREATE INDEX taxon_media_medium ON taxon_media(medium_id);
