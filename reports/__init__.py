"""Renderers of saved scans: filled in by its owner."""
