"""Figures, one module per stage (SPEC 1.5); every function returns a matplotlib Figure."""
