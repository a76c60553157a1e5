"""Speaker embeddings: datasets, the store, speakers, similarity, exports. No Qt."""
