"""t2s: Text-to-SQL finetuning and evaluation suite.

Keep this module import-light: `t2s --help` must not pull in torch or transformers.
"""

__version__ = "0.1.0"
