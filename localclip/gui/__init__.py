"""Widgets only: they observe the pool and core through signals."""
