"""Model folders: checks, the catalog, downloads. No Qt."""
