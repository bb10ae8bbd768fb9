"""What a training run is made of: :class:`TrainConfig`, each setting declared once with its default, the
values it accepts, its error message, the CLI's help and the Train page's scale (:mod:`explorer.fields`)."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.data import DATASET_NAMES, DEFAULT_DATASET
from explorer.fields import Config, Scale, setting
from explorer.mlp.activations import MLP_ACTIVATIONS
from explorer.mlp.models import IMPLEMENTATIONS
from explorer.mlp.optimizers import OPTIMIZERS
from explorer.mlp.precision import PRECISIONS, bf16_support

# The Train page's scales (log-like steps: a slider over them moves by factors, not by tiny increments).
LRS = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
DECAYS = (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2)
STDS = (0.001, 0.01, 0.05, 0.1, 0.5, 1.0)
BATCH_SIZES = (32, 64, 128, 256, 512, 1024)
LAYERS = (0, 1, 2, 3)


def _one_of(what: str) -> str:
    return what + " must be one of {choices}"


@dataclass(frozen=True)
class TrainConfig(Config):
    """Defaults are d2l's MLP: 784-256-10, SGD lr 0.1, batch 256, 10 epochs, weights ~ N(0, 0.01)."""

    hidden: int = setting(256, lo=1, message="hidden width must be at least 1", help="units per hidden layer",
                          page=Scale(16, 1024))
    # 0 is softmax regression (d2l 3.6): hidden, activation and dropout are unused
    layers: int = setting(1, choices=LAYERS, message="hidden layers must be 0, 1, 2 or 3",
                          help="hidden layers (0: softmax regression, d2l 3.6)", page=Scale(0, 3))
    lr: float = setting(0.1, gt=0, message="learning rate must be a positive number", help="learning rate",
                        page=Scale(LRS[0], LRS[-1], LRS))
    batch_size: int = setting(256, lo=1, message="batch size must be at least 1",
                              page=Scale(BATCH_SIZES[0], BATCH_SIZES[-1], BATCH_SIZES))
    epochs: int = setting(10, lo=1, message="epochs must be at least 1", page=Scale(1, 50))
    # one value per hidden layer; a single value is repeated
    dropout: tuple[float, ...] = setting((0.0,), lo=0, lt=1, message="dropout must be in [0, 1)",
                                         help="dropout per hidden layer (one value for all, or one per layer)",
                                         page=Scale(0.0, 0.9))
    weight_decay: float = setting(0.0, lo=0, message="weight decay must be >= 0",
                                  page=Scale(0.0, DECAYS[-1], DECAYS))
    activation: str = setting("relu", choices=MLP_ACTIVATIONS, message=_one_of("activation"))
    optimizer: str = setting("sgd", choices=OPTIMIZERS, message=_one_of("optimizer"))
    init_std: float = setting(0.01, gt=0, message="init std must be > 0", help="std of the normal weight init",
                              page=Scale(STDS[0], STDS[-1], STDS))
    impl: str = setting("concise", choices=IMPLEMENTATIONS, message=_one_of("impl"))
    seed: int = setting(0, page=Scale(0, 10_000))
    # dry run: train (test) on the first examples only
    max_train: int | None = setting(None, kind=int, lo=1, message="max_train must be at least 1",
                                    help="dry run: first N training images")
    max_test: int | None = setting(None, kind=int, lo=1, message="max_test must be at least 1",
                                   help="dry run: first N test images")
    # "mnist": seed 002's handwritten digits (same 784 pixels, 10 classes); the CLI's --dataset is shared
    dataset: str = setting(DEFAULT_DATASET, choices=DATASET_NAMES, message=_one_of("dataset"), cli=False)
    # or "bf16": bfloat16 matmuls, float32 weights, loss and softmax (explorer.mlp.precision)
    precision: str = setting("fp32", choices=PRECISIONS, message=_one_of("precision"),
                             help="fp32 (the book's numbers) or bf16 (bfloat16 matmuls, where the CPU or GPU "
                                  "has them); default: $EXPLORER_PRECISION or fp32")

    def dropouts(self) -> list[float]:
        values = list(self.dropout) if isinstance(self.dropout, (list, tuple)) else [self.dropout]
        return values * self.layers if len(values) == 1 else values

    def sizes(self) -> list[int]:
        return [784] + [self.hidden] * self.layers + [10]

    def validate(self) -> None:
        """Raise ValueError with a readable message for any setting the trainer cannot use."""
        super().validate()
        if len(self.dropouts()) != self.layers:
            raise ValueError(f"give 1 or {self.layers} dropout values")
        if self.precision == "bf16" and not (support := bf16_support())[0]:
            raise ValueError(f"bf16 is not available here: {support[1]}; use fp32")

    def to_dict(self) -> dict:
        return {**super().to_dict(), "dropout": self.dropouts()}
