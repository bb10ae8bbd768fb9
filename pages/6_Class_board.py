"""The class board: what a room of attendees trained, side by side, updating by itself."""

import streamlit as st

import ui
from explorer.classroom import board as class_board, service as classroom
from explorer.data import DATASETS
from explorer.figures import classroom as figs
from explorer.mlp.training import METRIC_NAMES, METRICS
from ui import class_board as board_ui
from ui import classroom as classroom_ui
from ui import lead as lead_ui
from ui import presenter as presenter_ui
from ui import server
from ui.i18n import _, label_func
from ui.training_panels import on_screen

# No settings in its link (params None): the class code is ?class=, which every page keeps.
s = ui.page(__file__, None, _("Class board"), "🎓", _("🎓 Class board"), _(
    "In a workshop everyone trains with their own settings and shares the run; this board shows the room's "
    "runs together. Where did a large learning rate diverge? Did a wider layer beat a narrow one? It "
    "refreshes by itself every few seconds."))

REFRESH_SECONDS = 2
expected_key = presenter_ui.presenter_key()
key_problem = classroom.presenter_key_problem(expected_key)
engine = server.engine()


def unlock():
    # hmac.compare_digest inside: the time taken does not reveal how much of a guess was right.
    s["presenter_error"] = presenter_ui.try_presenter_key(s.get("presenter_key_input"), expected_key)
    s["presenter"] = s["presenter_error"] is None
    s["presenter_key_input"] = ""


side = st.sidebar
side.subheader(_("Presenter"))
if key_problem is not None:  # refused as set: nobody presents until the server has a proper key
    side.error(key_problem.message(_))
elif expected_key is None:
    side.info(_("View-only. To present, set EXPLORER_PRESENTER_KEY (or presenter_key in "
                ".streamlit/secrets.toml) on the server; `python -m explorer class start` also opens a class."))
elif not s.get("presenter"):
    side.text_input(_("Presenter key"), type="password", key="presenter_key_input")
    side.button(_("Unlock presenter controls"), key="presenter_unlock", on_click=unlock)
    if s.get("presenter_error"):
        side.error(s.pop("presenter_error"))
presenter = bool(expected_key) and key_problem is None and s.get("presenter", False)

raw = st.query_params.get("class")
klass = classroom_ui.lookup(raw) if raw else None
if klass is None:
    # In the main area, not the sidebar: a phone shows it without the » toggle.
    st.text_input(_("Class code"), key="board_code_input", placeholder=_("MLP-7KQ2XM"))
    if st.button(_("Open this class's board"), key="board_open") and s.get("board_code_input"):
        st.query_params["class"] = s["board_code_input"].strip()
        st.rerun()
    if presenter and st.button(_("Start a new class"), key="class_start", type="primary"):
        try:
            st.query_params["class"] = classroom.start_class(engine, client=server.client_address())
            st.rerun()
        except classroom.BoardUnavailable:
            st.error(_("The class board's database cannot be reached; no class was started. Try again."))
    st.info(_("Open a class with ?class=MLP-7KQ2XM in the link, or type its code above."), icon="🎓")
    st.stop()
if klass.get("offline"):
    st.stop()  # the notice above says the database is unreachable; the fragment would only repeat it
code = klass["code"]
dataset = DATASETS[klass.get("dataset", "fashion-mnist")]
if klass["closed"]:
    st.info(_("Class {code} is closed: the board stays, new runs are refused.").format(code=code), icon="🔒")

board_ui.join_panel(code, dataset)
if presenter:
    board_ui.presenter_controls(code, klass, dataset)
    lead_ui.presenter_panel(code)  # suggest settings, ask and reveal questions, step through a lesson script

# The choices live outside the fragment: changing them reruns the page once; the fragment's own
# refresh every few seconds reruns only the board below.
choice = st.columns(3)
setting_label = label_func(class_board.SETTING_NAMES)
choice[0].selectbox(_("Setting on the x axis"), class_board.SETTINGS, key="board_setting", format_func=setting_label)
choice[1].selectbox(_("Colour points by"), class_board.SETTINGS, index=1, key="board_color", format_func=setting_label)
choice[2].selectbox(_("Curves of"), METRICS, index=3, key="board_metric", format_func=label_func(METRIC_NAMES))
for key in ("board_setting", "board_color", "board_metric"):
    s[f"_kept_{key}"] = s[key]  # restored after a language switch (ui.language)


@st.fragment(run_every=REFRESH_SECONDS)
def live_board():
    try:
        # Ask first whether anything changed (two numbers); re-read the runs only then.
        version = classroom.board_version(engine, code)
        if s.get("board_cache", (None,))[0] != (code, version):
            s["board_cache"] = ((code, version), classroom.board(engine, code, with_history=True))
        board = s["board_cache"][1]
    except classroom.BoardUnavailable:
        st.warning(_("The class board's database cannot be reached; trying again in a few seconds."), icon="📡")
        return
    everything = len(board["runs"])
    board = class_board.on_dataset(board, dataset.name)  # runs on different datasets are never compared
    if everything > len(board["runs"]):
        st.caption(_("Runs on other datasets are not shown here: {n}.").format(n=everything - len(board["runs"])))
    frame = class_board.runs_frame(board)
    lead_ui.question_board(code, frame)  # the open question's answers, live; the room's runs after the reveal
    if frame.empty:
        st.info(_("No runs yet. Attendees press ▶ Train, then 📤 Share with the class."), icon="⏳")
        return
    found = class_board.findings(frame)
    counts = st.columns(3)
    counts[0].metric(_("runs shared"), found["runs"])
    counts[1].metric(_("people"), found["people"])
    counts[2].metric(_("diverged"), found["diverged"])
    st.markdown("\n".join(f"- {line}" for line in board_ui.found_captions(found)))
    left, right = st.columns([3, 2])
    left.plotly_chart(figs.accuracy_figure(frame, s["board_setting"], s["board_color"], _),
                      key="board_accuracy")
    right.plotly_chart(figs.divergence_figure(frame, _), key="board_divergence")
    st.plotly_chart(figs.curves_figure(class_board.curves_frame(board), s["board_metric"], _),
                    key="board_curves")
    st.subheader(_("Leaderboard"))
    st.dataframe(on_screen(class_board.leaderboard(frame)), hide_index=True, key="board_leaderboard")
    st.download_button(_("⬇ Board as CSV"), frame.to_csv(index=False), f"{code}_board.csv", "text/csv",
                       key="board_csv", on_click="ignore")


live_board()
