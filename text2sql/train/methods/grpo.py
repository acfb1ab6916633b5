"""`task_type: grpo | rloo`: TRL's online RL trainers on `t2s build-prompts` records, rewarded by execution
(text2sql/execution/rewards.py); the reward keys are `RewardArguments` (text2sql/train/rl.py)."""

from __future__ import annotations

from dataclasses import dataclass

from text2sql.train.methods.base import Method, TrainData, print_main, trainer_kwargs
from text2sql.train.rl import RewardArguments


@dataclass(frozen=True)
class OnlineRL(Method):
    trl_trainer: str = "GRPOTrainer"  # the class in `trl`, by name

    def extra_arguments(self, raw: dict, args):
        from text2sql.train.rl import reward_arguments

        return reward_arguments(raw, args)

    def datasets(self, cfg, tokenizer, is_main: bool) -> TrainData:
        from text2sql.train.data import read_jsonl
        from text2sql.train.rl import build_rl_dataset

        d = cfg.data
        rows = read_jsonl(d.train_file)
        eval_rows = read_jsonl(d.eval_file) if d.eval_file else None
        train_ds, report = build_rl_dataset(rows, tokenizer, d.max_prompt_length)
        eval_ds = build_rl_dataset(eval_rows, tokenizer, d.max_prompt_length)[0] if eval_rows else None
        print_main(is_main, f"{d.train_file}: {report.line()}")
        return TrainData(rows, train_ds, eval_ds, report)

    def trainer(self, cfg, model, peft_config, tokenizer, data: TrainData, callbacks):
        """The TRL trainer with the t2s rewards bound to one scorer (closed when training ends)."""
        import trl
        from transformers import TrainerCallback

        from text2sql.execution.rewards import RewardScorer, reward_functions

        train_ds, eval_ds = data.train, data.eval
        scorer = RewardScorer(cfg.reward.reward_data, cfg.reward.settings())
        try:
            scorer.check_databases(
                list(train_ds["db_id"]) + (list(eval_ds["db_id"]) if eval_ds is not None else [])
            )
            funcs = reward_functions(cfg.reward.reward_funcs, scorer)
        except BaseException:
            scorer.close()
            raise

        class _CloseScorer(TrainerCallback):
            def on_train_end(self, args, state, control, **kwargs):
                scorer.close()

        callbacks = [*(callbacks or []), _CloseScorer()]
        kwargs = trainer_kwargs(cfg, model, peft_config, tokenizer, data, callbacks)
        return getattr(trl, self.trl_trainer)(reward_funcs=funcs, **kwargs)


GRPO = OnlineRL("grpo", "GRPOConfig", RewardArguments, takes_beta=True, trl_trainer="GRPOTrainer")
RLOO = OnlineRL("rloo", "RLOOConfig", RewardArguments, takes_beta=True, trl_trainer="RLOOTrainer")
