"""Randomly initialised Qwen2-architecture models, built offline: `tiny` for tests and the quick start,
the real Qwen2.5-Coder shapes for throughput and memory benchmarks (no weights can be downloaded here)."""

from __future__ import annotations

from pathlib import Path

from text2sql.core.errors import T2SError

# hidden, layers, heads, kv heads, intermediate, vocab (None: the tokenizer's), tied embeddings
ARCHS: dict[str, dict] = {
    "micro": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                  intermediate_size=128, vocab_size=None, tie_word_embeddings=True),
    "tiny": dict(hidden_size=192, num_hidden_layers=4, num_attention_heads=6, num_key_value_heads=2,
                 intermediate_size=384, vocab_size=None, tie_word_embeddings=True),
    "qwen2.5-coder-0.5b": dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                               intermediate_size=4864, vocab_size=151936, tie_word_embeddings=True),
    "qwen2.5-coder-1.5b": dict(hidden_size=1536, num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2,
                               intermediate_size=8960, vocab_size=151936, tie_word_embeddings=True),
    "qwen2.5-coder-7b": dict(hidden_size=3584, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4,
                             intermediate_size=18944, vocab_size=152064, tie_word_embeddings=False),
}  # fmt: skip


def tiny_config(arch: str, tokenizer):
    from transformers import Qwen2Config

    if arch not in ARCHS:
        raise T2SError(f"unknown arch {arch!r}; choose one of {', '.join(ARCHS)}")
    spec = dict(ARCHS[arch])
    spec["vocab_size"] = max(spec["vocab_size"] or 0, len(tokenizer))
    small = arch in ("micro", "tiny")
    return Qwen2Config(
        **spec,
        max_position_embeddings=4096 if small else 32768,
        rope_theta=10000.0 if small else 1000000.0,
        rms_norm_eps=1e-6,
        # Qwen's 0.02 leaves a small random model's logits nearly flat (|logit| <= 0.02 * hidden through the
        # final RMSNorm), so LoRA alone could never make it confident; a wider init gives it the headroom.
        initializer_range={"micro": 0.2, "tiny": 0.1}.get(arch, 0.02),
        bos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        use_cache=True,
    )


def build_tiny_model(
    output_dir: str | Path, arch: str = "tiny", tokenizer: str | Path | None = None, seed: int = 0
):
    """Write a random Qwen2 model plus tokenizer to `output_dir`; the bundled tokenizer when none is given."""
    import torch
    from transformers import AutoModelForCausalLM, GenerationConfig

    from text2sql.prompts.tokenizer import load_tokenizer

    tok = load_tokenizer(tokenizer)
    config = tiny_config(arch, tok)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(
        config, dtype=torch.float32 if arch in ("micro", "tiny") else torch.bfloat16
    )
    model.generation_config = GenerationConfig(
        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, do_sample=False
    )
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def count_parameters(config) -> int:
    """Parameters of an architecture without allocating it (meta device)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())
