"""Leading the room on a real database, SQLite and PostgreSQL alike (the `db_url` fixture runs each test on
both): suggestions checked against the page's controls, questions with one answer per nickname until the
reveal, the audit log, and the shipped lesson script."""

from __future__ import annotations

import pytest

from explorer.classroom import board as class_board
from explorer.classroom import lesson_script, questions, storage, suggestions
from explorer.classroom import service as classroom
from explorer.classroom.questions import BadAnswer
from explorer.classroom.suggestions import BadSuggestion
from tests.system.test_classroom import payload


def test_a_suggestion_is_checked_stored_and_becomes_current(engine, code):
    assert suggestions.current(engine, code) is None and suggestions.version(engine, code) == 0
    done = suggestions.suggest(engine, code.lower(), {"lr": "1.0", "hidden": "16"}, client="10.0.0.9")
    assert done["settings"] == {"lr": 1.0, "hidden": 16} and isinstance(done["settings"]["hidden"], int)
    assert suggestions.version(engine, code) == done["id"] > 0
    now = suggestions.current(engine, code)
    assert now["page"] == "Train_an_MLP" and now["settings"] == {"lr": 1.0, "hidden": 16}
    later = suggestions.suggest(engine, code, {"degree": 20}, page="Under_and_overfitting")
    assert suggestions.version(engine, code) == later["id"] > done["id"]
    assert suggestions.current(engine, code)["settings"] == {"degree": 20}
    log = classroom.audit_log(engine, code)
    assert [(r["action"], r["detail"]) for r in log[:2]] == [
        ("suggest", {"page": "Under_and_overfitting", "degree": 20}),
        ("suggest", {"page": "Train_an_MLP", "lr": 1.0, "hidden": 16})]
    assert log[1]["client"] == "10.0.0.9"


@pytest.mark.parametrize("page, settings, message", [
    ("Train_an_MLP", {"width": 16}, "Train_an_MLP has no setting width; it has hidden, layers, lr"),
    ("Train_an_MLP", {"lr": 0.7}, "lr must be one of 0.0001, 0.0003"),
    ("Train_an_MLP", {"hidden": 2000}, "hidden must be between 16 and 1024, not 2000."),
    ("Train_an_MLP", {"hidden": 16.5}, "hidden must be a whole number, not 16.5."),
    ("Train_an_MLP", {"dropout1": "nan"}, "dropout1 must be a number, not nan."),
    ("Train_an_MLP", {"activation": "swish"}, "activation must be one of relu, sigmoid, tanh"),
    ("Train_an_MLP", {}, "A suggestion needs at least one setting."),
    ("Class_board", {"lr": 0.1}, "Settings can be suggested on Train_an_MLP, Hidden_layers"),
])
def test_bad_suggestions_are_refused_with_a_clear_message(engine, code, page, settings, message):
    with pytest.raises(BadSuggestion, match="^" + message.replace(".", r"\.").replace("(", r"\(")):
        suggestions.suggest(engine, code, settings, page=page)
    assert suggestions.current(engine, code) is None


def test_pairs_parse_like_the_cli_and_closed_classes_refuse(engine, code):
    assert suggestions.parse_pairs(["lr=1.0", " hidden = 16 "]) == {"lr": "1.0", "hidden": "16"}
    with pytest.raises(BadSuggestion, match="name=value"):
        suggestions.parse_pairs(["lr:1.0"])
    classroom.update_class(engine, code, closed=True)
    with pytest.raises(classroom.ClassClosed):
        suggestions.suggest(engine, code, {"lr": 1.0})
    with pytest.raises(classroom.ClassClosed):
        questions.ask(engine, code, "lr_1_diverge")
    with pytest.raises(classroom.UnknownClass):
        suggestions.suggest(engine, "MLP-0000", {"lr": 1.0})


def test_one_answer_per_nickname_changeable_until_the_reveal(engine, code):
    with pytest.raises(BadAnswer, match="No question is open"):
        questions.answer(engine, code, "s1", "Otter", 0)
    first = questions.ask(engine, code, "lr_1_diverge", client="cli")
    questions.answer(engine, code, "s1", "Otter", 0)
    questions.answer(engine, code, "s2", "Lynx", 1)
    questions.answer(engine, code, "s1", "Otter", 1)  # changed: still one answer for Otter
    questions.answer(engine, code, "s3", "ｏｔｔｅｒ", 0)  # full-width is another spelling, NFKC: "otter"
    assert questions.version(engine, code) == (first, False, 3)
    now = questions.current(engine, code)
    assert now == {"round": first, "id": "lr_1_diverge", "revealed": False,
                   "answers": {"Lynx": 1.0, "Otter": 1.0, "otter": 0.0}}
    item = questions.QUESTIONS["lr_1_diverge"]
    assert questions.distribution(item, now["answers"]) == [("Yes, it diverges", 1), ("No, it trains fine", 2)]
    for bad in (2, -1, 0.5, "x", float("inf"), True):
        with pytest.raises(BadAnswer):
            questions.answer(engine, code, "s4", "Yak", bad)
    questions.reveal(engine, code, client="cli")
    questions.reveal(engine, code)  # twice is once
    assert questions.version(engine, code) == (first, True, 3)
    with pytest.raises(BadAnswer, match="No question is open"):
        questions.answer(engine, code, "s1", "Otter", 0)
    second = questions.ask(engine, code, "width_16_acc")
    assert second > first and questions.current(engine, code)["answers"] == {}
    questions.answer(engine, code, "s1", "Otter", 0.83)
    with pytest.raises(BadAnswer, match="between 0 and 1"):
        questions.answer(engine, code, "s1", "Otter", 1.5)
    counts = questions.distribution(questions.QUESTIONS["width_16_acc"], {"a": 0.83, "b": 1.0, "c": 0.0})
    assert len(counts) == 10 and counts[8] == ("0.8–0.9", 1) and counts[9][1] == 1 and counts[0][1] == 1
    actions = [r["action"] for r in classroom.audit_log(engine, code)]
    assert actions[:3] == ["ask", "reveal", "ask"]  # the second reveal changed nothing and is not logged
    with pytest.raises(BadAnswer, match="There is no question nope"):
        questions.ask(engine, code, "nope")


def test_the_room_runs_are_grouped_by_the_questions_setting(engine, code):
    for i, (lr, acc, status) in enumerate([(0.1, 0.80, "finished"), (0.1, 0.84, "finished"), (1.0, 0.0, "diverged"),
                                           (1.0, 0.70, "finished")]):
        classroom.share_run(engine, code, f"s{i}", f"P{i}", "1", payload(lr=lr, test_acc=acc, status=status))
    frame = class_board.runs_frame(classroom.board(engine, code))
    table = questions.room_runs(frame, "lr")
    assert table["value"].tolist() == [0.1, 1.0] and table["runs"].tolist() == [2, 2]
    assert table["diverged"].tolist() == [0, 1]
    assert table["test_acc"].tolist() == pytest.approx([0.82, 0.70])


def test_an_expired_class_takes_its_suggestions_and_answers_with_it(engine, code, monkeypatch):
    suggestions.suggest(engine, code, {"lr": 1.0})
    questions.ask(engine, code, "dropout_09")
    questions.answer(engine, code, "s1", "Otter", 3)
    classroom.update_class(engine, code, closed=True)
    monkeypatch.setattr(classroom, "utcnow", lambda: storage.utcnow() + classroom.timedelta(days=30))
    with pytest.raises(classroom.UnknownClass):
        classroom.get_class(engine, code)
    assert suggestions.current(engine, code) is None and questions.current(engine, code) is None


def test_the_shipped_lesson_script_follows_the_chapter_in_about_45_minutes():
    (path,) = [p for p in lesson_script.available() if p.name == "mlp_chapter.toml"]
    script = lesson_script.load(path)
    assert 40 <= script.minutes <= 50 and len(script.steps) >= 6
    for step in script.steps:  # every step is a valid suggestion and/or an existing question
        assert step.note and step.minutes > 0 and (step.settings or step.question)
        if step.settings:
            assert suggestions.validate(step.page, step.settings) == step.settings
        if step.question:
            assert questions.item(step.question).page in suggestions.SETTINGS
    asked = {s.question for s in script.steps if s.question}
    assert {"lr_1_diverge", "dropout_09", "degree_overfits"} <= asked
    pages = {s.page for s in script.steps if s.settings}
    assert pages == {"Train_an_MLP", "Hidden_layers", "Under_and_overfitting", "Weight_decay"}


@pytest.mark.parametrize("text, message", [
    ("title = 'x'", "needs at least one"),
    ("[[step]]\nnote = 'n'\nminutes = 1\n[step.settings]\nlr = 7", "step 1: lr must be one of"),
    ("[[step]]\nnote = 'n'\nminutes = 1\nquestion = 'nope'", "step 1: There is no question nope"),
    ("[[step]]\nnote = 'n'\nminutes = 1", "step 1: it has neither settings nor a question"),
    ("[[step]\n", "not TOML"),
])
def test_a_broken_lesson_script_says_which_step_and_why(text, message):
    with pytest.raises(lesson_script.BadScript, match=message):
        lesson_script.parse(text)


def test_every_question_is_on_a_page_and_compares_a_board_setting():
    for qid, item in questions.QUESTIONS.items():
        assert item.page in suggestions.SETTINGS, qid
        assert item.compare is None or item.compare in class_board.SETTINGS, qid
        assert item.answer is None or (0 <= item.answer < len(item.choices) if item.choices
                                       else item.lo <= item.answer <= item.hi), qid


def test_a_script_carries_its_notes_in_chinese_too():
    script = lesson_script.load(lesson_script.LESSONS_DIR / "mlp_chapter.toml")
    assert all(step.note_in("zh") != step.note for step in script.steps) and script.title_in("zh") != script.title
    assert script.steps[0].note_in("fr") == script.steps[0].note  # no French: English
