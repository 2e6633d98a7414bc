"""DNS drivers, one module per provider (imported on first use by the registry)."""
