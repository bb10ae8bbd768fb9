"""Predict, then reveal: the presenter opens a question, the room answers, then sees what happened.

Asking people to predict before they see the data is the teaching design behind this (Kim, Reinecke &
Hullman, CHI 2017). A small built-in catalogue per page, written from the chapter (:data:`QUESTIONS`,
English msgids translated where shown). One question is open per class at a time; an attendee answers once
per nickname and may change the answer until the reveal. On reveal, questions about the training page
are compared with the room's own shared runs (``compare``); the others with the book's answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from explorer.classroom import service as classroom
from explorer.classroom.service import ClassroomError, _database, _open, _record
from explorer.i18n import N_
from explorer.classroom.storage import Answer, Question, utcnow


class BadAnswer(ClassroomError):
    """No open question, an unknown question, or an answer outside its choices or range."""


@dataclass(frozen=True)
class Item:
    """One question: multiple choice (``choices``) or a number in [lo, hi]."""

    page: str
    text: str
    choices: tuple[str, ...] = ()
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.01  # a number question's input step (1: whole numbers)
    answer: float | None = None  # the book's answer (a choice's index, or a number); None: the room decides
    compare: str | None = None  # a board setting: on reveal, the room's runs grouped by it
    note: str = ""

    @property
    def kind(self) -> str:
        return "choice" if self.choices else "number"


QUESTIONS: dict[str, Item] = {
    "dropout_09": Item(
        "Train_an_MLP", N_("What happens to test accuracy with dropout 0.9 (3 epochs)?"),
        (N_("It goes up"), N_("About the same"), N_("It drops a little"), N_("It drops a lot")),
        compare="dropout",
        note=N_("Dropout 0.9 keeps one unit in ten: the network learns slowly (d2l 4.6).")),
    "lr_1_diverge": Item(
        "Train_an_MLP", N_("Learning rate 1.0 with SGD: will the training diverge?"),
        (N_("Yes, it diverges"), N_("No, it trains fine")), compare="lr",
        note=N_("The board counts diverged runs per learning rate.")),
    "width_16_acc": Item(
        "Train_an_MLP", N_("Which test accuracy will a hidden layer of only 16 units reach (3 epochs)?"),
        lo=0.0, hi=1.0, compare="hidden", note=N_("Answer as a fraction, e.g. 0.8 for 80 %.")),
    "softmax_vs_mlp": Item(
        "Train_an_MLP", N_("0 hidden layers (softmax regression) against 1 hidden layer: which is better?"),
        (N_("0 hidden layers"), N_("1 hidden layer"), N_("About the same")), answer=1, compare="layers"),
    "degree_overfits": Item(
        "Under_and_overfitting", N_("Which polynomial degree overfits d2l's cubic with 100 examples?"),
        ("1", "4", "20"), answer=2,
        note=N_("20 features fit the noise: training loss falls, test loss rises (d2l 4.4).")),
    "xor_units": Item(
        "Hidden_layers", N_("How many hidden ReLU units does XOR need at least?"), lo=0, hi=8, step=1, answer=2,
        note=N_("Two ReLU units carve the plane along two lines; the output adds them.")),
    "weight_decay_3": Item(
        "Weight_decay", N_("Weight decay λ = 3 on 20 examples and 200 features: what happens to test loss?"),
        (N_("It falls"), N_("It stays the same"), N_("It rises")), answer=0,
        note=N_("Without weight decay the model overfits; λ = 3 closes the gap (d2l 4.5).")),
}
ANSWERS_PER_MINUTE = 10  # per session and class, counted by the app (ui.server): like shares


def item(question_id: str) -> Item:
    if question_id not in QUESTIONS:
        raise BadAnswer(N_("There is no question {id}; the questions are {ids}."), id=str(question_id)[:30],
                        ids=", ".join(QUESTIONS))
    return QUESTIONS[question_id]


def check_value(question: Item, value) -> float:
    """An answer as stored: a choice's index, or a number within the question's range."""
    try:
        number = float(value)
        if not math.isfinite(number) or isinstance(value, bool):
            raise ValueError
    except (TypeError, ValueError):
        raise BadAnswer(N_("An answer must be a number.")) from None
    if question.choices and (number != int(number) or not 0 <= number < len(question.choices)):
        raise BadAnswer(N_("Pick one of the answers offered."))
    if not question.choices and not question.lo <= number <= question.hi:
        raise BadAnswer(N_("Answer with a number between {lo:g} and {hi:g}."), lo=question.lo, hi=question.hi)
    return number


def ask(engine: Engine, code: str, question_id: str, client: str | None = None) -> int:
    """Presenter action: open ``question_id`` for the room (the previous question is replaced)."""
    item(question_id)
    code = classroom.normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        if _open(s, code).closed_at is not None:
            raise classroom.ClassClosed(N_("Class {code} is closed; its board can no longer change."), code=code)
        row = Question(class_code=code, question=question_id, opened_at=utcnow())
        s.add(row)
        s.flush()
        _record(s, code, "ask", {"question": question_id}, client)
        return row.id


def _newest(s: Session, code: str) -> Question | None:
    return s.scalars(select(Question).where(Question.class_code == code).order_by(Question.id.desc()).limit(1)).first()


def reveal(engine: Engine, code: str, client: str | None = None) -> None:
    """Presenter action: close the open question's answers and show them with what happened."""
    code = classroom.normalize_code(code)
    with _database(engine), Session(engine) as s, s.begin():
        _open(s, code)
        row = _newest(s, code)
        if row is None:
            raise BadAnswer(N_("No question is open."))
        if row.revealed_at is None:
            row.revealed_at = utcnow()
            _record(s, code, "reveal", {"question": row.question}, client)


def answer(engine: Engine, code: str, session_id: str, nickname: str, value) -> None:
    """An attendee's prediction for the open question: one per nickname, changeable until the reveal."""
    code, nickname = classroom.normalize_code(code), classroom.clean_nickname(nickname)
    with _database(engine):
        for _attempt in range(2):  # two first answers under one nickname at once: the second updates
            try:
                with Session(engine) as s, s.begin():
                    row = _newest(s, _open(s, code).code)
                    if row is None or row.revealed_at is not None:
                        raise BadAnswer(N_("No question is open; wait for the presenter's next one."))
                    number = check_value(item(row.question), value)
                    mine = s.scalars(select(Answer).where(Answer.question_id == row.id,
                                                          Answer.nickname == nickname)).first()
                    if mine is None:
                        s.add(Answer(question_id=row.id, nickname=nickname, session_id=session_id, value=number,
                                     at=utcnow()))
                    else:
                        mine.value, mine.session_id, mine.at = number, session_id, utcnow()
                return
            except IntegrityError:
                continue


def version(engine: Engine, code: str) -> tuple[int, bool, int]:
    """(newest question's id, revealed?, answers): a cheap question the board and attendees ask every few seconds."""
    code = classroom.normalize_code(code)
    with _database(engine), Session(engine) as s:
        row = _newest(s, code)
        if row is None:
            return 0, False, 0
        count = s.scalar(select(func.count()).select_from(Answer).where(Answer.question_id == row.id))
        return row.id, row.revealed_at is not None, int(count)


def current(engine: Engine, code: str) -> dict | None:
    """``{"round", "id", "revealed", "answers": {nickname: value}}`` of the newest question, or None."""
    code = classroom.normalize_code(code)
    with _database(engine), Session(engine) as s:
        row = _newest(s, code)
        if row is None:
            return None
        answers = s.scalars(select(Answer).where(Answer.question_id == row.id).order_by(Answer.nickname)).all()
        return {"round": row.id, "id": row.question, "revealed": row.revealed_at is not None,
                "answers": {a.nickname: a.value for a in answers}}


def distribution(question: Item, answers: dict) -> list[tuple[str, int]]:
    """(label, count) per choice, or per tenth of the range for a number: what the board's bar chart shows."""
    if question.choices:
        counts = [0] * len(question.choices)
        for value in answers.values():
            counts[int(value)] += 1
        return list(zip(question.choices, counts))
    edges = [question.lo + (question.hi - question.lo) * i / 10 for i in range(11)]
    counts = [0] * 10
    for value in answers.values():
        counts[min(9, int((value - question.lo) / (question.hi - question.lo) * 10))] += 1
    return [(f"{lo:g}–{hi:g}", n) for lo, hi, n in zip(edges, edges[1:], counts)]


def room_runs(frame, setting: str):
    """What the room's shared runs (:func:`explorer.classroom.board.runs_frame`) did, grouped by ``setting``: one row
    per value with ``runs``, ``diverged`` and the median ``test_acc`` (None where every run diverged)."""
    import pandas as pd

    rows = []
    for value, group in frame.groupby(setting, sort=True, dropna=True):
        scored = group["test_acc"].dropna()
        rows.append({"value": value, "runs": len(group), "diverged": int((group["status"] == "diverged").sum()),
                     "test_acc": float(scored.median()) if len(scored) else None})
    return pd.DataFrame(rows, columns=["value", "runs", "diverged", "test_acc"])
