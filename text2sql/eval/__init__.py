"""Evaluation (`t2s eval`): the orchestration, the gold cache, hardness, R-VES, the summary and its tables,
predictions files and pairwise comparison; the executor, metric and verdict live in `text2sql.execution`."""
