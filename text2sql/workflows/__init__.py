"""Whole runs built from the stages: predict-and-evaluate, ablation grids, the quick start."""
