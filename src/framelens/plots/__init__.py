"""Figures: one module per figure; each function takes data and returns a Figure."""
