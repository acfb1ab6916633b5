"""Multi-process setup: what `torchrun` / `accelerate launch` need from the training arguments to run real DDP.

transformers builds its process group through accelerate's `PartialState`, which only recognises a CPU
launch as distributed (gloo) when `use_cpu` is set; without it every rank of `torchrun --nproc-per-node 2`
on a CPU machine trained alone on the full data. PEFT models leave the frozen base weights without
gradients, so DDP's unused-parameter search is wasted work (and a warning); Firefly turns it off too.
"""

from __future__ import annotations

import os

from text2sql.core.errors import T2SError


def has_accelerator() -> bool:
    """A GPU (or other torch accelerator) this process can train on."""
    import torch

    if hasattr(torch, "accelerator"):
        return torch.accelerator.is_available()
    return torch.cuda.is_available()


def launched_world_size() -> int:
    """Processes started by torchrun / accelerate / mpirun (1 when run plainly)."""
    for name in ("WORLD_SIZE", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 1


def is_main_process() -> bool:
    """Rank 0 of a torchrun / accelerate / mpirun launch (or a plain run): the one that prints per-run lines."""
    for name in ("RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name]) == 0
    return True


def distributed_defaults(raw: dict) -> dict:
    """Trainer arguments to add to `raw` (the user's keys win, unless they cannot work)."""
    out: dict = {}
    if not has_accelerator():
        if raw.get("use_cpu") is False and launched_world_size() > 1:
            raise T2SError(
                "use_cpu: false on a machine without a GPU would run each of the "
                f"{launched_world_size()} launched processes as a separate training; remove the key"
            )
        out["use_cpu"] = raw.get("use_cpu", True)
        if raw.get("fsdp"):
            raise T2SError(
                "fsdp needs GPUs: accelerate turns FSDP on only for GPU/accelerator launches, so on CPU the key "
                "would be ignored and every rank would hold the whole model (plain DDP); remove it, or shard with "
                "'deepspeed': 'train_args/deepspeed/ds_zero3.json', which runs on CPU"
            )
    # Every parameter that trains takes part in each forward pass (LoRA adapters or the whole model), so
    # DDP never needs to search for unused ones.
    out["ddp_find_unused_parameters"] = raw.get("ddp_find_unused_parameters", False)
    return out


def check_launch() -> None:
    """`accelerate launch --num_processes 2` without `--multi_gpu` on a machine with fewer than two GPUs starts
    one process (its "simple launcher"); it then trains alone on all the data. Say so instead of running."""
    if (
        "ACCELERATE_USE_CPU" in os.environ
        and "MASTER_ADDR" in os.environ  # set by that launcher only when more processes were asked for
        and "WORLD_SIZE" not in os.environ
    ):
        raise T2SError(
            "accelerate launch started one process although several were asked for; on a machine without "
            "several GPUs use `accelerate launch --multi_gpu --num_processes N` (gloo on CPU) or "
            "`torchrun --nproc-per-node N`"
        )


def init_deepspeed_comm(args) -> None:
    """Give DeepSpeed a process group before the model loads (ZeRO-3 partitions it while loading).

    On CPU (`use_cpu`) accelerate starts gloo itself and never initialises `deepspeed.comm`, so `zero.Init` saw
    a world of one process and refused the batch sizes ("train_batch_size is not equal to ... world_size");
    DeepSpeed wraps that existing torch process group instead. A plain `t2s train` (no launcher) gets a group
    of one process here, as the `deepspeed` launcher would set up; without it DeepSpeed looked for MPI
    (mpi4py) and failed with a traceback. On GPUs under a launcher accelerate has already done this."""
    if not args.deepspeed:
        return
    import torch
    import torch.distributed
    from deepspeed import comm

    if comm.is_initialized():
        return
    if torch.distributed.is_initialized():
        comm.init_distributed(dist_backend=torch.distributed.get_backend(), auto_mpi_discovery=False)
        return
    if launched_world_size() > 1:
        return  # a launcher whose group accelerate did not form: DeepSpeed sets it up from the environment
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    for key, value in {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1",
                       "MASTER_PORT": port}.items():  # fmt: skip
        os.environ.setdefault(key, value)
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    comm.init_distributed(dist_backend=backend, auto_mpi_discovery=False)


def check_deepspeed(raw: dict) -> None:
    """A `deepspeed` key needs the package (the `t2s[deepspeed]` extra) and, when it names a file, that file."""
    value = raw.get("deepspeed")
    if not value:
        return
    import importlib.util

    if importlib.util.find_spec("deepspeed") is None:
        raise T2SError(
            "config key 'deepspeed' needs the deepspeed package: pip install 't2s[deepspeed]' "
            "(or remove the key to train without DeepSpeed)"
        )
    if isinstance(value, str) and not os.path.isfile(value):
        raise T2SError(f"deepspeed config {value} does not exist")


def finish_distributed() -> None:
    """Leave the process group together before exit: an un-destroyed gloo/shm group can abort a rank at
    interpreter shutdown ("terminate called without an active exception") after training succeeded."""
    import sys

    dist = sys.modules.get("torch.distributed")
    if dist is not None and dist.is_available() and dist.is_initialized():
        try:
            dist.barrier()
        finally:
            dist.destroy_process_group()
