"""transformers generation: batched, left-padded, length-sorted, greedy unless asked to sample."""

from __future__ import annotations

import sys
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.generation.base import Backend, DecodingConfig, chunks, library_versions, render_chat


def stop_token_ids(tokenizer, model=None) -> list[int]:
    """Chat models end a turn with `<|im_end|>` (ChatML), base models with eos: stop at either."""
    ids = []
    for tok in ("<|im_end|>", "<|endoftext|>", "<|eot_id|>"):
        tid = tokenizer.convert_tokens_to_ids(tok)
        if isinstance(tid, int) and tid != tokenizer.unk_token_id and tid >= 0:
            ids.append(tid)
    if tokenizer.eos_token_id is not None:
        ids.append(tokenizer.eos_token_id)
    gen_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    ids += gen_eos if isinstance(gen_eos, list) else ([gen_eos] if gen_eos is not None else [])
    return sorted(set(ids))


class HFBackend(Backend):
    name = "hf"

    def __init__(
        self,
        model: str,
        adapter: str | None = None,
        tokenizer: str | None = None,
        decoding: DecodingConfig | None = None,
        device: str | None = None,
        model_obj=None,
        tokenizer_obj=None,
        base_precision: str = "auto",
    ):
        import torch
        from transformers import AutoModelForCausalLM

        from text2sql.core.hardware import resolve_precision, torch_dtype
        from text2sql.models.loading import load_pretrained
        from text2sql.models.meta import base_precision_for
        from text2sql.prompts.tokenizer import load_tokenizer

        self.decoding = decoding or DecodingConfig()
        self.model_path, self.adapter = str(model), adapter
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        # bf16 where the hardware computes it natively (2048^2 matmul: ~7x fp32 on an AVX512-BF16 CPU)
        self.base_precision = base_precision_for(adapter, base_precision) if adapter else "16bit"
        requested = self.decoding.precision
        if requested == "auto" and self.base_precision == "4bit" and self.device == "cpu":
            requested = "fp32"  # 4-bit CPU kernels compute in fp32, as the adapter was trained
        self.precision = resolve_precision(requested, self.device)
        if tokenizer_obj is None:
            tok_src = tokenizer or (
                adapter if adapter and (Path(adapter) / "tokenizer_config.json").exists() else model
            )
            tokenizer_obj = load_tokenizer(tok_src)
        self.tokenizer = tokenizer_obj
        self.tokenizer.padding_side = "left"  # decoder-only: new tokens must follow the prompt directly
        if model_obj is None:
            if adapter and not (Path(adapter) / "adapter_config.json").exists():
                raise T2SError(f"{adapter} is not a LoRA adapter folder (no adapter_config.json)")
            dtype = torch_dtype(self.precision)
            kwargs: dict = {"dtype": dtype}
            if self.base_precision == "4bit":
                from text2sql.train.model import four_bit_config

                kwargs["quantization_config"] = four_bit_config(dtype)
                if self.device == "cuda":
                    kwargs["device_map"] = {"": 0}
            fold = adapter and self.base_precision != "4bit"  # a LoRA adapter to fold into a 16-bit base
            if fold:  # loaded in fp32 for the fold: a bf16 merge would round the adapter away
                from text2sql.models.folding import fold_adapter, fold_dtype

                kwargs["dtype"] = fold_dtype(self.model_path, dtype)
            model_obj = load_pretrained(AutoModelForCausalLM, self.model_path, **kwargs)
            if self.base_precision == "4bit":
                from text2sql.train.model import use_training_4bit_kernels

                use_training_4bit_kernels(model_obj)  # the numerics the adapter was trained with
            if fold:  # folded into the weights: generation then runs at the base model's speed
                model_obj = fold_adapter(model_obj, adapter, dtype)
            elif adapter:
                from peft import PeftModel

                # kept unmerged: folding it into nf4 weights would round the adapter away
                model_obj = PeftModel.from_pretrained(model_obj, adapter)
                print(
                    f"[t2s] {adapter} was trained with QLoRA: its base is loaded in 4-bit nf4 as trained "
                    "(--base-precision 16bit for the unquantised base)",
                    file=sys.stderr,
                )
            if self.base_precision != "4bit":
                model_obj.to(self.device)
        self.model = model_obj.eval()
        self.stop_ids = stop_token_ids(self.tokenizer, self.model)
        self.run_ons = 0  # answers ended early by RunOnStop (a looping answer must not hold its batch)

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        import torch

        d = self.decoding
        texts = [render_chat(self.tokenizer, r) for r in records]
        lengths = [len(self.tokenizer(t, add_special_tokens=False).input_ids) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])  # similar lengths -> little padding
        out: list[list[str]] = [[] for _ in texts]
        sample = temperature > 0
        kwargs = {"do_sample": sample, "num_return_sequences": n, "max_new_tokens": d.max_new_tokens}
        if sample:
            kwargs.update(temperature=temperature, top_p=d.top_p)
        else:  # unset the model's sampling defaults so greedy runs without warnings
            kwargs.update(temperature=None, top_p=None, top_k=None)
        for idx in chunks(order, d.batch_size):
            enc = self.tokenizer(
                [texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False
            )
            enc = enc.to(self.device)
            if sample:
                torch.manual_seed(d.seed + idx[0])  # same seed per example whatever the batch order
            stop = RunOnStop(self.tokenizer, enc["input_ids"].shape[1])
            with torch.inference_mode():
                gen = self.model.generate(
                    **enc,
                    eos_token_id=self.stop_ids,
                    pad_token_id=self.tokenizer.pad_token_id,
                    stopping_criteria=[stop],
                    **kwargs,
                )
            self.run_ons += stop.stopped
            new = gen[:, enc["input_ids"].shape[1] :]
            decoded = self.tokenizer.batch_decode(new, skip_special_tokens=True)
            for j, i in enumerate(idx):
                out[i] = decoded[j * n : (j + 1) * n]
        return out

    def info(self) -> dict:
        return {
            "backend": self.name,
            "model": self.model_path,
            "adapter": self.adapter,
            "base_precision": self.base_precision,
            "device": self.device,
            "precision": self.precision,
            "stop_token_ids": self.stop_ids,
            "run_on_stop": f"closed code fence or a repeated {RunOnStop.NGRAM}-token run",
            "versions": library_versions(),
        }


class RunOnStop:
    """Stop an answer that runs on past its SQL, per sequence, so one looping answer does not hold its batch.

    Two signs, both cheap to check each step: a code fence opened and closed (the SQL is complete), or the last
    `NGRAM` new tokens already occurred earlier in the answer (a loop: column lists, CREATE TABLEs, "4C: 4C:").
    Answers that stop at the end-of-turn token, as trained models do, never reach either."""

    NGRAM = 12

    def __init__(self, tokenizer, prompt_len: int):
        self.tokenizer, self.prompt_len, self.stopped = tokenizer, prompt_len, 0
        self.done: set[int] = set()

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        flags = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        new = input_ids[:, self.prompt_len :].tolist()
        for row, ids in enumerate(new):
            if row in self.done:
                flags[row] = True
            elif self._runs_on(ids):
                flags[row] = True
                self.done.add(row)
                self.stopped += 1
        return flags

    def _runs_on(self, ids: list[int]) -> bool:
        n = self.NGRAM
        if len(ids) >= 2 * n:
            tail, head = ids[-n:], ids[:-n]
            if any(head[i : i + n] == tail for i in range(len(head) - n + 1)):
                return True
        if len(ids) >= 4 and len(ids) % 4 == 0:  # decode now and then: fences are rare tokens to watch
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            return text.count("```") >= 2
        return False
