"""The consent API: filled in by its owner."""
