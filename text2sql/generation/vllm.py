"""vLLM generation for users with a GPU (`pip install 't2s[vllm]'`); imported only when asked for."""

from __future__ import annotations

import json
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.generation.base import Backend, DecodingConfig, library_versions, render_chat


class VLLMBackend(Backend):
    name = "vllm"

    def __init__(self, model: str, adapter: str | None = None, tokenizer: str | None = None, decoding=None):
        try:
            import torch
            import vllm
        except ImportError:
            raise T2SError(
                "the vllm backend needs vllm: pip install 't2s[vllm]' (CUDA GPU required)"
            ) from None
        if not torch.cuda.is_available():
            raise T2SError("the vllm backend needs a CUDA GPU; use --backend hf on this machine")
        self.decoding = decoding or DecodingConfig()
        self.model_path, self.adapter = str(model), adapter
        lora_kw = {}
        self.lora = None
        if adapter:
            from vllm.lora.request import LoRARequest

            cfg_path = Path(adapter) / "adapter_config.json"
            if not cfg_path.exists():
                raise T2SError(f"{adapter} is not a LoRA adapter folder (no adapter_config.json)")
            rank = json.loads(cfg_path.read_text()).get("r", 64)
            lora_kw = {"enable_lora": True, "max_lora_rank": max(16, rank)}
            self.lora = LoRARequest("adapter", 1, str(adapter))
        self.llm = vllm.LLM(
            model=self.model_path, tokenizer=tokenizer or self.model_path, seed=self.decoding.seed, **lora_kw
        )
        self.tokenizer = self.llm.get_tokenizer()

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        from vllm import SamplingParams

        d = self.decoding
        params = SamplingParams(
            n=n,
            temperature=temperature,
            top_p=d.top_p if temperature > 0 else 1.0,
            max_tokens=d.max_new_tokens,
            seed=d.seed,
            stop=["<|im_end|>"],
        )
        texts = [render_chat(self.tokenizer, r) for r in records]
        outs = self.llm.generate(texts, params, lora_request=self.lora, use_tqdm=False)
        return [[o.text for o in out.outputs] for out in outs]

    def info(self) -> dict:
        return {
            "backend": self.name,
            "model": self.model_path,
            "adapter": self.adapter,
            "versions": library_versions(),
        }
