"""What every stage shares: the error type, progress, provenance, statistics."""
