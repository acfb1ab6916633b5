"""The t2s keys of a training config every method shares: the model's and the data's (a leaf module: the
methods and the model loader read these without importing config.py, which asks the methods)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ModelArguments:
    model_name_or_path: str = field(metadata={"help": "Base model: a local folder or a hub id."})
    train_mode: str = field(default="qlora", metadata={"help": "qlora | lora | full"})
    tokenizer_name_or_path: str | None = field(default=None, metadata={"help": "Defaults to the model's."})
    adapter_name_or_path: str | None = field(
        default=None, metadata={"help": "A trained (e.g. SFT) LoRA adapter to keep training (e.g. with DPO)."}
    )
    attn_implementation: str | None = field(
        default=None,
        metadata={"help": "sdpa | eager | flash_attention_2 (padding-free packing is fastest with FA2)"},
    )
    lora_rank: int = 64
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    lora_target_modules: str = field(
        default="all-linear", metadata={"help": "all-linear = every linear but lm_head"}
    )


@dataclass
class DataArguments:
    train_file: str = field(metadata={"help": "SFT or DPO JSONL from `t2s build-sft` / `t2s build-dpo`."})
    eval_file: str | None = None
    task_type: str = field(
        default="sft",
        metadata={"help": "sft | dpo | grpo | rloo | reward | pretrain (raw text, see pretrain.py)"},
    )
    max_seq_length: int = field(default=2048, metadata={"help": "Tokens per example, prompt plus SQL."})
    max_prompt_length: int | None = field(
        default=None, metadata={"help": "Tokens of prompt kept (None: no limit)."}
    )
    truncation: str = field(
        default="drop",
        metadata={
            "help": "drop: an over-long example is dropped and counted (shorter prompts: build-sft --max-tokens)."
        },
    )
