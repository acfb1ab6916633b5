"""Load the base model for a train mode: QLoRA (nf4, double quantisation), LoRA on a 16-bit base, or full."""

from __future__ import annotations

import os

from text2sql.errors import T2SError
from text2sql.train.config import ModelArguments


def compute_dtype(args):
    """bf16/fp16 when asked (and on GPU), fp32 otherwise: CPU kernels for 4-bit run in fp32."""
    import torch

    if args.bf16:
        return torch.bfloat16
    if args.fp16:
        return torch.float16
    return torch.float32


def checkpointing(args) -> bool:
    """Activation (gradient) checkpointing; transformers 5 renamed the argument."""
    return bool(
        getattr(args, "activation_checkpointing", None) or getattr(args, "gradient_checkpointing", False)
    )


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
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    dtype = compute_dtype(args)
    kwargs: dict = {"dtype": dtype, **model_kwargs}
    if margs.attn_implementation:
        kwargs["attn_implementation"] = margs.attn_implementation
    if margs.train_mode == "qlora":
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
            bnb_4bit_quant_storage=dtype,  # lets FSDP/DeepSpeed shard the 4-bit weights
        )
        if torch.cuda.is_available():  # one full copy per process, also under DDP
            kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", "0"))}
    try:
        model = (auto_class or AutoModelForCausalLM).from_pretrained(margs.model_name_or_path, **kwargs)
    except (OSError, ValueError) as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise T2SError(f"cannot load model {margs.model_name_or_path!r}: {msg}") from None
    model.config.use_cache = False
    if margs.train_mode == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=checkpointing(args))
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
