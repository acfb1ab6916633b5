"""Load the base model for a train mode: QLoRA (nf4, double quantisation), LoRA on a 16-bit base, or full.

No `prepare_model_for_kbit_training`: it casts every non-4-bit weight (embeddings, norms, lm_head) to fp32
(about 2.2 GB more for a 7B model) and calls deprecated gradient-checkpointing APIs, while TRL and
transformers already enable input gradients and checkpointing for PEFT models themselves.
"""

from __future__ import annotations

import os

from text2sql.core.errors import T2SError
from text2sql.train.arguments import ModelArguments


def compute_dtype(args):
    """bf16/fp16 when asked (and on GPU), fp32 otherwise: CPU kernels for 4-bit run in fp32."""
    import torch

    if args.bf16:
        return torch.bfloat16
    if args.fp16:
        return torch.float16
    return torch.float32


def weights_dtype(args, train_mode: str):
    """The dtype the base weights are loaded in. Full training on CPU keeps fp32 master weights and lets bf16
    autocast (TrainingArguments bf16 on CPU) run the matmuls, so AdamW updates are not rounded to bf16; a
    frozen LoRA base is loaded in bf16 itself (half the memory, no per-step casts, 6% faster on CPU)."""
    import torch

    dtype = compute_dtype(args)
    if train_mode == "full" and dtype != torch.float32 and not torch.cuda.is_available():
        return torch.float32
    return dtype


def four_bit_config(dtype):
    """The nf4 quantisation QLoRA trains against; eval and merge rebuild the same one (see generation/hf.py)."""
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=dtype,
        bnb_4bit_quant_storage=dtype,  # lets FSDP/DeepSpeed shard the 4-bit weights
    )


def use_training_4bit_kernels(model) -> None:
    """bitsandbytes repacks 4-bit weights into an inference-only CPU layout the first time a layer runs in
    eval mode without gradients (AVX512-BF16 CPUs) and never unpacks them: the first training step after an
    evaluation then fails in `matmul_4bit`, and that kernel's logits differ from the training kernel's (0.19
    on the micro model). Training, and evaluating what was trained, never take that path."""
    for module in model.modules():
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False


def adapters_in_fp32(model) -> None:
    """Trainable (LoRA) weights in fp32, whatever the base dtype. TRL casts QLoRA adapters to bf16, but a
    checkpoint is reloaded through PEFT in fp32, so a resumed run would train in another precision than an
    uninterrupted one; fp32 master weights (PEFT's and Firefly's default) also keep small updates that bf16
    rounds away. Autocast still runs the adapter matmuls in bf16/fp16 when training in mixed precision."""
    import torch

    for param in model.parameters():
        if param.requires_grad and param.dtype != torch.float32:
            param.data = param.data.float()


def lora_config(margs: ModelArguments, task_type: str = "CAUSAL_LM"):
    from peft import LoraConfig

    targets = margs.lora_target_modules
    return LoraConfig(
        r=margs.lora_rank,
        lora_alpha=margs.lora_alpha,
        lora_dropout=margs.lora_dropout,
        # "all-linear" is PEFT's spelling of every linear layer except the output head.
        target_modules=targets if targets == "all-linear" else [t.strip() for t in targets.split(",")],
        bias="none",
        task_type=task_type,
    )


def load_model(margs: ModelArguments, args, auto_class=None, **model_kwargs):
    """The model to hand to the trainer, and the PEFT config (None when the model already has its adapter).

    `auto_class` (default AutoModelForCausalLM) and `model_kwargs` serve the reward model's classifier."""
    import torch
    from transformers import AutoModelForCausalLM

    dtype = compute_dtype(args)
    kwargs: dict = {"dtype": weights_dtype(args, margs.train_mode), **model_kwargs}
    if margs.attn_implementation:
        kwargs["attn_implementation"] = margs.attn_implementation
    if margs.train_mode == "qlora":
        kwargs["quantization_config"] = four_bit_config(dtype)
        if torch.cuda.is_available():  # one full copy per process, also under DDP
            kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", "0"))}
    from text2sql.models.loading import load_pretrained

    model = load_pretrained(auto_class or AutoModelForCausalLM, margs.model_name_or_path, **kwargs)
    model.config.use_cache = False
    if margs.train_mode == "qlora":
        use_training_4bit_kernels(model)
    if margs.train_mode == "full":
        if margs.adapter_name_or_path:
            raise T2SError("adapter_name_or_path needs train_mode lora or qlora (merge it first for full)")
        return model, None
    if margs.adapter_name_or_path:  # e.g. DPO on top of the SFT adapter: keep training that adapter
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, margs.adapter_name_or_path, is_trainable=True)
        except (OSError, ValueError) as e:
            raise T2SError(f"cannot load adapter {margs.adapter_name_or_path!r}: {e}") from None
        return model, None
    return model, lora_config(margs)


def load_train_tokenizer(cfg):
    """The run's tokenizer (tokenizer_name_or_path, else the model's); it must have a chat template."""
    from text2sql.prompts.tokenizer import load_tokenizer

    tok = load_tokenizer(cfg.model.tokenizer_name_or_path or cfg.model.model_name_or_path)
    if not tok.chat_template:
        raise T2SError(
            "the tokenizer has no chat template; give tokenizer_name_or_path one that has (e.g. Qwen2.5)"
        )
    return tok
