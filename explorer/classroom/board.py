"""The class board as data: one row per shared run, one row per run and epoch, and what the room found.

Input is :func:`explorer.classroom.service.board` with ``with_history=True``; output is DataFrames and a dict
of numbers, so the presenter page, the CSV export and tests all read the same thing.
"""

from __future__ import annotations

import pandas as pd

from explorer.data import DATASETS, DEFAULT_DATASET
from explorer.i18n import N_
from explorer.mlp.training import METRICS

# The settings a class varies, in the order the presenter view offers them.
SETTINGS = ("lr", "hidden", "layers", "dropout", "optimizer", "activation", "batch_size", "weight_decay",
            "train_size", "epochs")
# How each setting is named on screen (English msgids, translated by whoever shows them).
SETTING_NAMES = {"lr": N_("lr"), "hidden": N_("hidden"), "layers": N_("layers"), "dropout": N_("dropout"),
                 "optimizer": N_("optimizer"), "activation": N_("activation"), "batch_size": N_("batch size"),
                 "weight_decay": N_("weight decay"), "train_size": N_("train images"), "epochs": N_("epochs")}
RUN_COLUMNS = ["run", "nickname", "status", *SETTINGS, *METRICS, "shared_at", "dataset"]


def on_dataset(board: dict, dataset: str) -> dict:
    """The board with the runs on ``dataset`` only: runs on different datasets never share a chart
    or a leaderboard (a run from before datasets had names is on Fashion-MNIST)."""
    runs = [r for r in board["runs"] if (r.get("config") or {}).get("dataset", DEFAULT_DATASET) == dataset]
    return {**board, "runs": runs}


def runs_frame(board: dict) -> pd.DataFrame:
    """One row per shared run: who, its settings and where it ended (``epochs`` = epochs trained)."""
    rows = []
    for r in board["runs"]:
        c, final = r.get("config") or {}, r.get("final") or {}
        dropout, dataset = c.get("dropout") or [0.0], c.get("dataset", DEFAULT_DATASET)
        full = DATASETS.get(dataset, DATASETS[DEFAULT_DATASET]).train_size  # what max_train None trained on
        rows.append({
            "run": r["run"], "nickname": r["nickname"], "status": r["status"],
            "lr": c.get("lr"), "hidden": c.get("hidden"), "layers": c.get("layers"),
            "dropout": max(dropout) if isinstance(dropout, list) else dropout,
            "optimizer": c.get("optimizer"), "activation": c.get("activation"), "batch_size": c.get("batch_size"),
            "weight_decay": c.get("weight_decay"), "train_size": c.get("max_train") or full,
            "epochs": final.get("epoch", 0), **{m: final.get(m) for m in METRICS}, "shared_at": r["shared_at"],
            "dataset": dataset,
        })
    frame = pd.DataFrame(rows, columns=RUN_COLUMNS)
    for column in ("lr", "dropout", "weight_decay", *METRICS):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def curves_frame(board: dict) -> pd.DataFrame:
    """Long format, one row per run and epoch, for the overlaid curves."""
    rows = [{"run": r["run"], "nickname": r["nickname"], **row} for r in board["runs"] for row in r.get("history", [])]
    frame = pd.DataFrame(rows, columns=["run", "nickname", "epoch", *METRICS])
    for column in METRICS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def leaderboard(frame: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The best runs by test accuracy (diverged runs have none and are left out)."""
    ranked = frame.dropna(subset=["test_acc"]).sort_values(["test_acc", "run"], ascending=[False, True]).head(top)
    ranked = ranked[["nickname", "test_acc", "lr", "hidden", "layers", "dropout", "optimizer", "epochs", "status"]]
    return ranked.reset_index(drop=True).rename_axis("rank").reset_index().assign(rank=lambda f: f["rank"] + 1)


def findings(frame: pd.DataFrame) -> dict:
    """Numbers for the "what the room found" captions; keys are absent when the data cannot say."""
    out: dict = {"runs": len(frame), "people": frame["nickname"].nunique(),
                 "diverged": int((frame["status"] == "diverged").sum())}
    diverged_lrs = sorted(frame.loc[frame["status"] == "diverged", "lr"].dropna().unique().tolist())
    out["diverged_lrs"] = diverged_lrs
    scored = frame.dropna(subset=["test_acc"])
    if scored.empty:
        return out
    best = scored.loc[scored["test_acc"].idxmax()]
    out["best"] = {"nickname": best["nickname"], "test_acc": float(best["test_acc"]), "lr": best["lr"],
                   "hidden": best["hidden"]}
    by_lr = scored.groupby("lr")["test_acc"].median()
    out["best_lr"], out["best_lr_acc"] = float(by_lr.idxmax()), float(by_lr.max())
    out["lr_runs"] = int((scored["lr"] == out["best_lr"]).sum())
    by_width = scored.groupby("hidden")["test_acc"].median()
    if len(by_width) >= 2:
        out["widest"], out["narrowest"] = int(by_width.index.max()), int(by_width.index.min())
        out["widest_acc"], out["narrowest_acc"] = float(by_width.iloc[-1]), float(by_width.iloc[0])
    with_dropout, without = scored[scored["dropout"] > 0], scored[scored["dropout"] == 0]
    if len(with_dropout) and len(without):
        out["dropout_acc"], out["no_dropout_acc"] = float(with_dropout["test_acc"].median()), float(
            without["test_acc"].median())
    return out
