"""Runs of a job kind: a dataset or project, the pool, and where results go (coordinator side)."""
