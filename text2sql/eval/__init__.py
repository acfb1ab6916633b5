"""Evaluation: the sandboxed executor, the EX metric, hardness, answer extraction, voting and scoring."""
