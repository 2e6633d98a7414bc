"""Compute drivers, one package per provider family (imported lazily by the registry)."""
