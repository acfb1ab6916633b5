"""Ablation reports: EX with Wilson intervals, paired bootstrap differences, McNemar's exact test."""

from text2sql.core.stats import bootstrap_ci, ex_ci, holm, mcnemar, paired_diff_ci, wilson_ci
from text2sql.report.analysis import analyse
from text2sql.report.checks import check_comparable
from text2sql.report.render import write_report
from text2sql.report.runs import Run, load_run

__all__ = [
    "Run",
    "analyse",
    "bootstrap_ci",
    "check_comparable",
    "ex_ci",
    "holm",
    "load_run",
    "mcnemar",
    "paired_diff_ci",
    "wilson_ci",
    "write_report",
]
