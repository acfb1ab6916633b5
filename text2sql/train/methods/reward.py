"""`task_type: reward`: a scalar score head trained pairwise with TRL's `RewardTrainer` on `t2s build-dpo`
rows (text2sql/train/reward_model.py), the verifier `t2s eval --pick` uses."""

from __future__ import annotations

from dataclasses import dataclass

from text2sql.train.methods.base import Method, TrainData, print_main, trainer_kwargs


@dataclass(frozen=True)
class Reward(Method):
    def datasets(self, cfg, tokenizer, is_main: bool) -> TrainData:
        from text2sql.train.data import read_jsonl
        from text2sql.train.reward_model import build_reward_dataset

        d = cfg.data
        fit = (d.max_seq_length, d.max_prompt_length)
        rows = read_jsonl(d.train_file)
        train_ds, report = build_reward_dataset(rows, tokenizer, *fit)
        eval_ds = build_reward_dataset(read_jsonl(d.eval_file), tokenizer, *fit)[0] if d.eval_file else None
        print_main(is_main, f"{d.train_file}: {report.line().replace('examples', 'pairs')}")
        return TrainData(rows, train_ds, eval_ds, report)

    def load_model(self, cfg, tokenizer):
        from text2sql.train.reward_model import load_reward_model

        model, peft_config = load_reward_model(cfg)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        model.config.pad_token_id = tokenizer.pad_token_id  # the head reads the last non-pad token
        return model, peft_config

    def trainer(self, cfg, model, peft_config, tokenizer, data: TrainData, callbacks):
        from trl import RewardTrainer

        return RewardTrainer(**trainer_kwargs(cfg, model, peft_config, tokenizer, data, callbacks))


# qlora only: as for SFT/DPO an fp32 adapter and score head (a faithful resume); lora keeps what peft made
METHOD = Reward("reward", "RewardConfig", fp32_adapters=("qlora",))
