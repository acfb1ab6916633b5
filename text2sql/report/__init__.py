"""Ablation reports: EX with bootstrap CIs, McNemar against a baseline, Markdown and HTML."""

from text2sql.report.render import analyse, write_report
from text2sql.report.runs import Run, load_run
from text2sql.report.stats import bootstrap_ci, mcnemar

__all__ = ["Run", "analyse", "bootstrap_ci", "load_run", "mcnemar", "write_report"]
