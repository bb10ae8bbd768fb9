"""The presenter leads the room from the class board: suggest settings, open a question, reveal the
answers, or step through a lesson script (``lessons/*.toml``). Every action needs the presenter key (the
board page shows this panel only when unlocked) and lands in the audit log (explorer.classroom.suggestions,
explorer.classroom.questions). :func:`question_board` is the live answer chart everyone on the board sees.
"""

from __future__ import annotations

import streamlit as st

from explorer.classroom import board as class_board, service as classroom, lesson_script, questions, suggestions
from explorer.figures import room as figs
from ui import room
from ui.classroom import escape
from ui.i18n import _, current_language
from ui.server import client_address, engine


def _act(action, *args, **kwargs) -> bool:
    """A presenter action; a refusal or an unreachable database is a notice, never a traceback."""
    try:
        action(engine(), *args, client=client_address(), **kwargs)
        return True
    except classroom.ClassroomError as err:
        st.error(err.message(_))
    except classroom.BoardUnavailable:
        st.error(_("The class board's database cannot be reached; the change was not saved. Try again."))
    return False


def _value_input(container, page: str, key: str):
    """The control for one suggested setting: its page's choices, or a number within its page's range."""
    spec, name, widget = suggestions.SETTINGS[page][key], room.label(key), f"lead_value_{page}_{key}"
    if spec.choices is not None:
        return container.selectbox(name, spec.choices, key=widget, format_func=str)
    if spec.kind is int:
        return container.number_input(name, int(spec.lo), int(spec.hi), step=1, key=widget)
    return container.number_input(name, float(spec.lo), float(spec.hi), step=0.05, key=widget)


def _suggest_panel(code: str) -> None:
    cols = st.columns([1, 2, 1])
    page = cols[0].selectbox(_("Page"), list(suggestions.SETTINGS), key="lead_page",
                             format_func=lambda p: _(room.PAGE_TITLES[p]))
    chosen = cols[1].multiselect(_("Settings to suggest"), list(suggestions.SETTINGS[page]), key=f"lead_keys_{page}",
                                 format_func=room.label, help=_("The attendees' other settings stay as they are."))
    pressed = cols[2].button(_("📣 Suggest to the room"), key="lead_suggest", disabled=not chosen,
                             use_container_width=True)
    values = {}
    if chosen:
        value_cols = st.columns(min(4, len(chosen)))
        for i, key in enumerate(chosen):
            values[key] = _value_input(value_cols[i % len(value_cols)], page, key)
    if pressed and _act(suggestions.suggest, code, values, page=page):
        st.success(_("Suggested to the room: {settings}.").format(settings=room.describe(values)))


def _push_step(code: str, step: lesson_script.Step) -> bool:
    done = True
    if step.settings:
        done = _act(suggestions.suggest, code, step.settings, page=step.page)
    if done and step.question:
        done = _act(questions.ask, code, step.question)
    return done


def _script_panel(code: str) -> None:
    state = st.session_state
    scripts = lesson_script.available()
    if not scripts:
        return
    name = st.selectbox(_("Lesson script"), [p.name for p in scripts], key="lead_script")
    try:
        script = lesson_script.load(next(p for p in scripts if p.name == name))
    except lesson_script.BadScript as err:
        st.error(_("This lesson script cannot be used: {reason}").format(reason=str(err)))
        return
    step_no = state.setdefault(f"lead_step_{name}", 0)
    lang = current_language()  # a script may carry its notes in several languages (note_zh)
    st.caption(_("{title}: {n} steps, about {minutes:g} minutes.").format(
        title=escape(script.title_in(lang)), n=len(script.steps), minutes=script.minutes))
    if step_no >= len(script.steps):
        st.info(_("The script is done: every step was pushed."))
        if st.button(_("Start the script again"), key="lead_script_restart"):
            state[f"lead_step_{name}"] = 0
            st.rerun()
        return
    step = script.steps[step_no]
    st.text(_("Step {i} of {n} (about {minutes:g} min): {note}").format(
        i=step_no + 1, n=len(script.steps), minutes=step.minutes, note=step.note_in(lang)))
    if st.button(_("⏭ Push step {i}").format(i=step_no + 1), key="lead_next", type="primary"):
        if _push_step(code, step):
            state[f"lead_step_{name}"] = step_no + 1
            st.rerun()


def presenter_panel(code: str) -> None:
    """Suggest settings, open and reveal questions, step through a script."""
    state = st.session_state
    state["room_lead_code"] = code  # "Suggest to the room" on the other pages speaks to this class
    with st.expander(_("📣 Lead the room"), expanded=True):
        _suggest_panel(code)
        cols = st.columns([2, 1, 1])
        cols[0].selectbox(_("Question"), list(questions.QUESTIONS), key="lead_question",
                          format_func=lambda q: _(questions.QUESTIONS[q].text))
        if cols[1].button(_("❓ Ask the room"), key="lead_ask", use_container_width=True):
            _act(questions.ask, code, state["lead_question"])
        if cols[2].button(_("👁 Reveal the answers"), key="lead_reveal", use_container_width=True):
            _act(questions.reveal, code)
        _script_panel(code)


def question_board(code: str, frame) -> None:
    """The open question's answers, live; after the reveal, the book's answer and the room's own runs."""
    found = questions.current(engine(), code)
    if found is None:
        return
    item = questions.QUESTIONS[found["id"]]
    st.subheader(_("❓ {question}").format(question=_(item.text)))
    counts = questions.distribution(item, found["answers"])
    revealed = found["revealed"]
    correct = int(item.answer) if revealed and item.answer is not None and item.choices else None
    left, right = st.columns(2)
    left.plotly_chart(figs.answers_figure(counts, correct, _), key="lead_answers")
    if not revealed:
        right.info(_("Answers so far: {n}. The presenter reveals when the room has answered.").format(
            n=len(found["answers"])), icon="⏳")
        return
    if item.answer is not None:
        answer = _(item.choices[int(item.answer)]) if item.choices else f"{item.answer:g}"
        right.success(_("The book's answer: {answer}.").format(answer=answer), icon="📖")
    if item.note:
        right.caption(_(item.note))
    if item.compare and not frame.empty:
        right.plotly_chart(figs.runs_figure(questions.room_runs(frame, item.compare), item.compare, _),
                           key="lead_runs")
        right.caption(_("Compared: the predictions above with every run shared on this board, grouped by {setting} "
                        "(median test accuracy; diverged runs counted apart).").format(
            setting=_(class_board.SETTING_NAMES[item.compare])))
    elif item.compare:
        right.info(_("No shared runs to compare with yet: train with the suggested settings and share."), icon="⏳")
