"""Container drivers: Docker (the Engine API)."""
