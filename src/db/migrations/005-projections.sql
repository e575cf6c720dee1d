-- Schema version 5: the latent map's projection cache. One row per (genome model, method): the 2-D
-- coordinates of every genome the model embedded, in genome_ids order. embeddings_hash names the
-- embeddings it was computed from; when they change (genomes added, a model retrained) the row is
-- stale and the app computes the projection again. A cache only: merges and imports may drop it.
CREATE TABLE projections (
  model_id        TEXT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  method          TEXT NOT NULL,   -- 'pca' | 'umap'
  params_json     TEXT NOT NULL,   -- the resolved parameters ({"nNeighbors":15,"minDist":0.1,...})
  embeddings_hash TEXT NOT NULL,
  genome_ids      BLOB NOT NULL,   -- little-endian int32, n values
  coords          BLOB NOT NULL,   -- little-endian float32, n × 2 (x, y)
  created_at      TEXT NOT NULL,   -- ISO 8601 UTC
  PRIMARY KEY (model_id, method)
) WITHOUT ROWID;
