"""Lint: every string a person reads in app.py, pages/ and ui/ goes through ``_()``.

An AST scan of the calls that draw text (``st.title``, ``st.sidebar.slider``, ``col.metric``,
``st.tabs([...])``, ``help=``, ``show_spinner=``…): a string literal with letters in one of their
text arguments, not wrapped as ``_("...")``, is a finding. So is an f-string or a ``+`` of
literals there (translate the whole sentence, then ``.format()``). New files are scanned too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])

# call name → positions of its text arguments (keywords below apply to every call in the table)
TEXT_CALLS = {
    **dict.fromkeys(("title", "header", "subheader", "markdown", "caption", "text", "write", "info", "warning",
                     "error", "success", "toast", "button", "download_button", "link_button", "checkbox",
                     "toggle", "radio", "selectbox", "multiselect", "slider", "select_slider", "text_input",
                     "number_input", "text_area", "date_input", "time_input", "file_uploader", "color_picker",
                     "segmented_control", "pills", "expander", "spinner", "popover", "status",
                     "form_submit_button", "chat_input", "page_link", "progress"), (0,)),
    "metric": (0, 2),  # label and delta; the value is a number
    "tabs": (0,),  # a list of tab labels
    **dict.fromkeys(("cache_data", "cache_resource", "set_page_config", "Page", "column_config"), ()),
}
TEXT_KEYWORDS = {"label", "help", "body", "text", "placeholder", "caption", "show_spinner", "page_title",
                 "title", "delta", "value_label"}


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _bare_literals(node: ast.AST) -> list[ast.AST]:
    """The parts of an argument a person would read untranslated."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node] if _has_letters(node.value) else []
    if isinstance(node, ast.JoinedStr):
        parts = [v for v in node.values if isinstance(v, ast.Constant) and _has_letters(str(v.value))]
        return [node] if parts else []
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _bare_literals(node.left) + _bare_literals(node.right)
    if isinstance(node, ast.IfExp):
        return _bare_literals(node.body) + _bare_literals(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [found for item in node.elts for found in _bare_literals(item)]
    return []  # _("..."), _("...").format(...), names, other calls: fine


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def unwrapped_strings(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, text) of every user-facing literal not wrapped in ``_()``."""
    findings = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or _call_name(node) not in TEXT_CALLS:
            continue
        args = [node.args[i] for i in TEXT_CALLS[_call_name(node)] if i < len(node.args)]
        args += [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        for arg in args:
            findings += [(lit.lineno, ast.get_source_segment(source, lit)) for lit in _bare_literals(arg)]
    return findings


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_facing_strings_are_wrapped(path):
    findings = unwrapped_strings(path.read_text(encoding="utf-8"), str(path))
    assert not findings, "\n".join(f"{path.name}:{line}: wrap for translation: {text}" for line, text in findings)


def test_the_lint_finds_what_it_should():
    bad = '''
st.title("Train an MLP")
side.slider(f"Dropout after layer {i}", 0.0, 0.9, help="Fraction of units dropped")
cols[0].metric("Final loss", value, f"{d:+.3g} vs λ = 0")
st.tabs(["Live fit", _("Sweep")])
st.info("Stopped at epoch " + str(e))
@st.cache_data(show_spinner="Training…")
def f(): ...
'''
    good = '''
st.title(_("Train an MLP"))
side.slider(_("Dropout after hidden layer {i}").format(i=i), 0.0, 0.9, key="dropout1")
cols[0].metric(_("Final loss"), f"{value:.4f}", _("{delta} vs λ = 0").format(delta=d))
st.markdown(f"**{label}**")
st.plotly_chart(fig, key="curves_chart")
st.latex(r"\\sigma(x) = \\frac{1}{1 + e^{-x}}")
'''
    lines = [line for line, _text in unwrapped_strings(bad)]
    assert sorted(lines) == [2, 3, 3, 4, 4, 5, 6, 7]
    assert unwrapped_strings(good) == []
