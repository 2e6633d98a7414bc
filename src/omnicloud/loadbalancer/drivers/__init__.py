"""Load balancer drivers (imported lazily by the registry)."""
