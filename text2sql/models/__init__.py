"""Models on disk: training metadata, checks before loading, tiny random models."""
