"""funds layer."""
