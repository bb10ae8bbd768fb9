"""AppTest of leading the room: the presenter's panel on the class board (suggest, ask, reveal, a lesson
script), and an attendee's banner on the page (use the settings and keep the others, dismiss, answer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from explorer.classroom import service as classroom, questions, storage, suggestions
from tests.system.test_classroom import payload
from tests.pages.test_i18n_pages import english_left, page_in_chinese, rendered_strings
from tests.pages.test_i18n_pages import english_msgids  # noqa: F401 (a fixture: pytest finds it here)
from tests.pages.test_page_class_board import KEY, board_page, unlock

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def engine(db_url, monkeypatch):
    monkeypatch.setenv("EXPLORER_PRESENTER_KEY", KEY)
    return storage.connect(db_url)


@pytest.fixture
def code(engine):
    return classroom.start_class(engine, train_size=1000, epochs=1)


def presenter(code: str) -> AppTest:
    at = unlock(board_page(code), KEY)
    assert not at.exception and at.multiselect(key="lead_keys_Train_an_MLP")
    return at


def attendee(code: str, fashion) -> AppTest:
    """The join link's page (app.py first, then the training page, as a click on its link does)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/3_Train_an_MLP.py")
    at.query_params["class"] = code
    return at.run()


def texts(at: AppTest) -> str:
    return " ".join(e.value for kind in ("markdown", "caption", "success", "error", "info", "text")
                    for e in at.get(kind) if isinstance(e.value, str))


def test_view_only_board_has_no_lead_panel(engine, code):
    at = board_page(code)
    assert not at.exception and not at.get("multiselect")
    assert not [b for b in at.button if (b.key or "").startswith("lead_")]


def test_presenter_picks_settings_within_the_pages_ranges_and_suggests_them(engine, code):
    at = presenter(code)
    assert at.button(key="lead_suggest").disabled  # nothing picked yet
    at.multiselect(key="lead_keys_Train_an_MLP").set_value(["hidden", "lr"]).run()
    hidden, lr = at.number_input(key="lead_value_Train_an_MLP_hidden"), at.selectbox(key="lead_value_Train_an_MLP_lr")
    assert (hidden.min, hidden.max) == (16, 1024) and lr.options[-1] == "1.0"  # the training page's own ranges
    hidden.set_value(16)
    lr.set_value(1.0).run()
    at.button(key="lead_suggest").click().run()
    assert not at.exception and "Suggested to the room: hidden 16, lr 1.0." in texts(at)
    assert suggestions.current(engine, code)["settings"] == {"hidden": 16, "lr": 1.0}
    at.selectbox(key="lead_page").set_value("Weight_decay").run()
    at.multiselect(key="lead_keys_Weight_decay").set_value(["lambd"]).run()
    at.selectbox(key="lead_value_Weight_decay_lambd").set_value(3).run()
    at.button(key="lead_suggest").click().run()
    assert suggestions.current(engine, code) | {"at": None, "id": None} == {
        "page": "Weight_decay", "settings": {"lambd": 3}, "at": None, "id": None}
    classroom.update_class(engine, code, closed=True)
    at.button(key="lead_suggest").click().run()
    assert not at.exception and "is closed" in at.error[0].value  # a refusal is a message


def test_presenter_asks_sees_the_count_and_reveals_next_to_the_rooms_runs(engine, code):
    classroom.share_run(engine, code, "a", "Otter", "1", payload(lr=0.1, test_acc=0.84))
    classroom.share_run(engine, code, "b", "Lynx", "1", payload(lr=1.0, status="diverged"))
    at = presenter(code)
    at.selectbox(key="lead_question").set_value("lr_1_diverge").run()
    at.button(key="lead_ask").click().run()
    for session, nick, value in (("s1", "Otter", 0), ("s2", "Lynx", 0), ("s3", "Yak", 1)):
        questions.answer(engine, code, session, nick, value)
    at.run()
    assert not at.exception and "Answers so far: 3." in texts(at)
    bars = at.get("plotly_chart")[0].proto.spec
    assert '"text":["2","1"]' in bars.replace(" ", "")  # the counts are written on the bars
    at.button(key="lead_reveal").click().run()
    assert not at.exception and questions.current(engine, code)["revealed"]
    shown = texts(at)
    assert "Compared: the predictions above with every run shared on this board, grouped by lr" in shown
    assert len(at.get("plotly_chart")) >= 2 and "lead_runs" in [c.key for c in at.get("plotly_chart")]


def test_presenter_steps_through_the_shipped_lesson_script(engine, code):
    at = presenter(code)
    assert "Step 1 of 9" in texts(at)
    at.button(key="lead_next").click().run()  # step 1: a question only
    assert not at.exception and questions.current(engine, code)["id"] == "xor_units"
    assert suggestions.current(engine, code) is None and "Step 2 of 9" in texts(at)
    at.button(key="lead_next").click().run()  # step 2: XOR settings on the Hidden layers page
    assert suggestions.current(engine, code)["page"] == "Hidden_layers"
    assert [r["action"] for r in classroom.audit_log(engine, code)[:2]] == ["suggest", "ask"]


def test_attendee_uses_the_suggestion_and_keeps_the_other_settings(engine, code, fashion):
    at = attendee(code, fashion)
    assert not at.exception and at.slider(key="epochs").value == 1  # the class default
    at.slider(key="layers").set_value(2).run()
    suggestions.suggest(engine, code, {"hidden": 16, "lr": 1.0})
    at.run()  # the fragment's refresh, in a test: a run
    assert "📣 **The presenter suggests:** hidden 16, lr 1.0" in texts(at)
    use = next(b for b in at.button if b.key.startswith("room_use_"))
    use.click().run()
    assert not at.exception
    assert at.slider(key="hidden").value == 16 and at.select_slider(key="lr").value == 1.0
    assert at.slider(key="layers").value == 2 and at.slider(key="epochs").value == 1  # kept
    assert "The presenter's settings are in place: hidden 16, lr 1.0." in texts(at)
    assert not any(b.key.startswith("room_use_") for b in at.button)  # used: the banner is gone
    assert at.query_params["hidden"] == "16"  # and the link follows


def test_attendee_dismisses_a_suggestion_and_answers_a_question(engine, code, fashion):
    at = attendee(code, fashion)
    suggestions.suggest(engine, code, {"hidden": 32})
    questions.ask(engine, code, "dropout_09")
    at.run()
    next(b for b in at.button if b.key.startswith("room_dismiss_")).click().run()
    assert not any(b.key.startswith("room_use_") for b in at.button) and at.slider(key="hidden").value == 256
    radio = next(r for r in at.radio if (r.key or "").startswith("room_answer_"))
    radio.set_value(3).run()
    next(b for b in at.button if b.key.startswith("room_send_")).click().run()
    nick = at.session_state["class_nick_ok"]
    assert questions.current(engine, code)["answers"] == {nick: 3.0}
    assert "Your answer: It drops a lot. You can change it until the presenter reveals." in texts(at)
    questions.reveal(engine, code)
    at.run()
    assert "The answers are revealed: look at the class board." in texts(at)
    assert not any((b.key or "").startswith("room_send_") for b in at.button)


PAGES = {"Train_an_MLP": "3_Train_an_MLP.py", "Hidden_layers": "8_Hidden_layers.py",
         "Under_and_overfitting": "4_Under_and_overfitting.py", "Weight_decay": "5_Weight_decay.py"}


def extremes(setting) -> list:
    if setting.choices is not None:
        return [setting.choices[0], setting.choices[-1]]
    return [setting.lo, setting.hi]


@pytest.mark.parametrize("page", list(suggestions.SETTINGS))
def test_every_suggestable_setting_is_a_control_of_its_page_with_the_same_range(page, fashion):
    """A suggestion of each setting's ends goes through the page's own check (ui._parse) unchanged (the
    training pages' run budgets aside: they cut epochs × size, so those stay small here)."""
    for end in (0, 1):
        wanted = {key: extremes(s)[end] for key, s in suggestions.SETTINGS[page].items()}
        if page == "Train_an_MLP":
            wanted = {**wanted, "epochs": 1, "train_size": 1000, "hidden": min(wanted["hidden"], 64)}
        if page == "Weight_decay":
            wanted = {**wanted, "n_train": 20}
        at = AppTest.from_file(str(ROOT / "pages" / PAGES[page]), default_timeout=180)
        at.session_state["room_apply"] = {"page": page, "settings": wanted}
        at.run()
        assert not at.exception, at.exception
        got = {key: at.session_state[key] for key in wanted}
        assert got == wanted


def test_leading_the_room_in_chinese(engine, code, fashion, english_msgids):  # noqa: F811
    """The presenter's panel, a revealed question beside the room's runs, and an attendee's banner, in Chinese."""
    classroom.share_run(engine, code, "a", "Otter", "1", payload(lr=1.0, status="diverged"))
    classroom.share_run(engine, code, "b", "Lynx", "1", payload(lr=0.1, test_acc=0.84))
    questions.ask(engine, code, "lr_1_diverge")
    questions.answer(engine, code, "s1", "Otter", 0)
    questions.reveal(engine, code)
    board = page_in_chinese("pages/6_Class_board.py", query={"class": code}, state={"presenter": True})
    assert not board.exception and len(board.get("plotly_chart")) == 5  # the board's 3, answers and runs
    suggestions.suggest(engine, code, {"hidden": 16}, page="Train_an_MLP")
    questions.ask(engine, code, "dropout_09")
    page = page_in_chinese("pages/3_Train_an_MLP.py", query={"class": code})
    assert not page.exception and "📣 **主讲人建议：** 隐藏单元数 16" in texts(page)
    for at in (board, page):
        left = english_left(rendered_strings(at), english_msgids)
        assert not left, f"shown in English: {left}"


def test_a_suggestion_for_another_page_takes_the_attendee_there(engine, code, fashion):
    at = attendee(code, fashion)
    suggestions.suggest(engine, code, {"lambd": 0.1, "penalty": "l1"}, page="Weight_decay")
    at.run()
    assert "These are settings of the page Weight decay; using them takes you there." in texts(at)
    next(b for b in at.button if b.key.startswith("room_use_")).click().run()
    assert not at.exception
    assert at.session_state["lambd"] == 0.1 and at.session_state["penalty"] == "l1"
    assert at.radio(key="penalty").value == "l1"  # the Weight decay page's own control


def test_answers_are_rate_limited_per_session(engine, code, fashion):
    at = attendee(code, fashion)
    questions.ask(engine, code, "width_16_acc")
    at.run()
    send = next(b.key for b in at.button if (b.key or "").startswith("room_send_"))
    for _ in range(questions.ANSWERS_PER_MINUTE):
        at.button(key=send).click().run()
    assert not at.error
    at.button(key=send).click().run()
    assert at.error and at.error[0].value.startswith("Too many answers from here; try again in")


def test_the_presenter_suggests_a_pages_own_settings_from_that_page(engine, code):
    at = AppTest.from_file(str(ROOT / "pages" / "5_Weight_decay.py"), default_timeout=120)
    at.query_params["lambd"] = "0.1"
    at.session_state["presenter"] = True
    at.session_state["room_lead_code"] = code  # the class the presenter's board has open
    at.run()
    at.button(key="room_suggest_page").click().run()
    assert not at.exception
    assert suggestions.current(engine, code)["settings"] == {"lambd": 0.1}
    assert at.sidebar.success[0].value == "Suggested to the room: λ 0.1."


def test_a_whole_number_question_takes_whole_numbers(engine, code, fashion):
    at = attendee(code, fashion)
    questions.ask(engine, code, "xor_units")
    at.run()
    box = next(n for n in at.number_input if (n.key or "").startswith("room_answer_"))
    assert (box.min, box.max, box.step, box.value) == (0, 8, 1, 0)
    box.set_value(2).run()
    next(b for b in at.button if (b.key or "").startswith("room_send_")).click().run()
    assert list(questions.current(engine, code)["answers"].values()) == [2.0]
    assert "Your answer: 2. You can change it until the presenter reveals." in texts(at)
