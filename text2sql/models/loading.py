"""Load pretrained weights from a folder, a hub id or a `.gguf` file, as ordinary trainable, saveable weights.

transformers dequantises a GGUF checkpoint into the requested dtype but keeps a "gguf quantizer" on the model,
which makes `save_pretrained` refuse ("quantized with gguf and is not serializable"). The weights are plain
tensors by then, so the marker is dropped: training, merging and saving then work as for any checkpoint, and
the outputs are ordinary safetensors folders (logits are identical after a save and reload).
"""

from __future__ import annotations

from text2sql.core.errors import T2SError
from text2sql.core.model_source import pretrained_source


def load_pretrained(auto_class, name, what: str = "model", **kwargs):
    """`auto_class.from_pretrained(name, **kwargs)` for a folder, hub id or `.gguf` file; one error line."""
    source, extra = pretrained_source(name)
    try:
        model = auto_class.from_pretrained(source, **extra, **kwargs)
    except (OSError, ValueError, TypeError) as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise T2SError(f"cannot load {what} {str(name)!r}: {first}") from None
    if extra:
        as_plain_weights(model)
    return model


def as_plain_weights(model) -> None:
    """Forget that the weights came from a GGUF file (they are dequantised tensors now)."""
    config = getattr(model, "config", None)
    qc = getattr(config, "quantization_config", None)
    if qc is not None and "gguf" in str(getattr(qc, "quant_method", qc)).lower():
        del config.quantization_config
        if getattr(model, "hf_quantizer", None) is not None:
            model.hf_quantizer = None
        if getattr(model, "is_quantized", False):
            try:
                model.is_quantized = False
            except AttributeError:  # a read-only property in some transformers versions
                pass
