"""Shared helpers: data loading, seeding, the in-graph input transform, ONNX export and golden files."""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

OPSET = 17


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    # One thread: a multi-threaded reduction may sum in a different order from run to run.
    torch.set_num_threads(1)


def read_jsonl(path: Path) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


class SignedLogStandardize(nn.Module):
    """x -> (sign(x)·log1p|x| - mean) / scale, inside the graph so serving sends raw features."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray, log_mask: np.ndarray | None = None):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        mask = np.ones_like(mean) if log_mask is None else log_mask.astype(np.float32)
        self.register_buffer("log_mask", torch.tensor(mask, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logged = torch.sign(x) * torch.log1p(torch.abs(x))
        x = self.log_mask * logged + (1 - self.log_mask) * x
        return (x - self.mean) / self.scale


def fit_standardizer(x: np.ndarray, log_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    t = x.copy()
    mask = np.ones(x.shape[-1], dtype=bool) if log_mask is None else log_mask.astype(bool)
    t[..., mask] = signed_log1p(t[..., mask])
    flat = t.reshape(-1, t.shape[-1])
    mean = flat.mean(0)
    scale = flat.std(0)
    scale[scale < 1e-6] = 1.0
    return mean.astype(np.float32), scale.astype(np.float32)


def export_onnx(module: nn.Module, example: torch.Tensor, path: Path, input_name: str, output_names: list[str], dynamic_axes: dict) -> None:
    module.eval()
    torch.onnx.export(
        module,
        (example,),
        str(path),
        input_names=[input_name],
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=OPSET,
        dynamo=False,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_onnx(path: Path, inputs: np.ndarray) -> dict[str, np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    outputs = session.run(None, {name: inputs.astype(np.float32)})
    return {o.name: v for o, v in zip(session.get_outputs(), outputs)}


def write_golden(path: Path, model_file: Path, inputs: np.ndarray) -> None:
    """Golden inputs and onnxruntime outputs: the Node parity test must reproduce them."""
    outputs = run_onnx(model_file, inputs)
    payload = {
        "model": model_file.name,
        "input_shape": list(inputs.shape),
        "inputs": inputs.astype(np.float32).tolist(),
        "outputs": {k: v.tolist() for k, v in outputs.items()},
    }
    path.write_text(json.dumps(payload))


@dataclass
class ModelResult:
    name: str
    file: str
    inputs: dict
    outputs: dict
    entry: dict  # extra manifest fields (metrics, targets_met, feature_names, …)
    report: str  # markdown


MANIFEST_VERSION = "1.0.0"


def manifest_entry(result: ModelResult, out: Path) -> dict:
    """A model's models/manifest.json entry: file, its sha256, shapes and the trainer's fields."""
    from datetime import datetime, timezone

    return {
        "file": result.file,
        "sha256": sha256(out / result.file),
        "version": MANIFEST_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": result.inputs,
        "outputs": result.outputs,
        **result.entry,
    }
