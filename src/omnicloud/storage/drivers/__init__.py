"""Storage drivers, one module per provider (imported on demand)."""
