"""Every page on a phone and with a keyboard: app.py calls :func:`page_chrome` before the page runs (``ui.page``
does, when a deep link ran the page file without app.py).

Streamlit tells the server nothing about the screen's width, so nothing here guesses it: the layout
works at both sizes, and the browser decides with CSS media queries.

- Streamlit's top navigation folds into the sidebar below 768 px, behind the ">>" toggle that few
  people find. Below that width a "Lessons" menu at the top of the main area links every page, and
  pages say where their other settings are (:func:`sidebar_hint`). CSS hides both on wider screens
  (every container keyed ``phone_…``), where the top navigation and the sidebar show.
- Each page's first controls (presets, the settings a lesson starts from) are in the main area.
- Wide formulas (KaTeX's display maths) and code (a class's join link) scroll sideways inside their
  own box on a narrow screen. A box that scrolls must be reachable with the keyboard (WCAG 2.1.1;
  axe's rule scrollable-region-focusable): a small script gives each such box ``tabindex="0"`` and a
  label, and takes them away again when the box fits (on a desktop nothing changes).
- Inline code in grey captions is drawn darker, so it keeps a 4.5:1 contrast on its tinted background.
- A picture never gets wider than its column (the class board's 380 px QR code on a 390 px screen).
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.i18n import _

# Streamlit's own breakpoint: below it the top navigation collapses into the sidebar.
NARROW = 767
CSS = """<style>
@media (min-width: WIDEpx) { [class*="st-key-phone_"] { display: none; } }
[data-testid="stCaptionContainer"] code { color: #111111; }
.katex-display[tabindex="0"]:focus-visible, [data-testid="stCode"] pre[tabindex="0"]:focus-visible {
  outline: 2px solid #1f5fbf; outline-offset: 2px; }
[data-testid="stImage"] img { max-width: 100%; height: auto; }
</style>""".replace("WIDE", str(NARROW + 1))
# Installed once per browser tab; a MutationObserver sees the boxes every rerun draws; a resize or a web font
# that finished loading re-checks.
SCRIPT = """<script>
(() => {
  window.__mlpxScrollLabels = LABELS;  // this run's language (the script runs again when the labels change)
  if (window.__mlpxScrollables) return;
  window.__mlpxScrollables = true;
  const check = () => document.querySelectorAll('.katex-display, [data-testid="stCode"] pre').forEach(box => {
    const labels = window.__mlpxScrollLabels;
    const label = box.matches('pre') ? labels.code : labels.formula;
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && (box.getAttribute('tabindex') !== '0' || box.getAttribute('aria-label') !== label)) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', label);
    } else if (!scrolls && box.getAttribute('tabindex') === '0') {
      ['tabindex', 'role', 'aria-label'].forEach(name => box.removeAttribute(name));
    }
  });
  let pending = false;
  const soon = () => { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; check(); }); } };
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', soon);
  // KaTeX's fonts load when the first formula needs them and widen it afterwards, with no DOM change.
  document.fonts.addEventListener('loadingdone', soon);
  document.fonts.ready.then(soon);
  check();
})();
</script>"""


def sidebar_hint(key: str) -> None:
    """On a narrow screen only: where the rest of the page's settings are."""
    with st.container(key=f"phone_{key}"):
        st.caption(_("More settings are in the sidebar: the » button at the top left opens it."))


def page_chrome(pages: list) -> None:
    """The phone's lessons menu, the keyboard-reachable formulas and the contrast fix (see the module).

    ``pages``: app.py's ``st.Page``s, or ``(file, title msgid, icon)`` rows when a deep link ran the page file
    without app.py (``ui.page``)."""
    import json

    with st.container(key="phone_nav"):
        labels = {"formula": _("Formula (scrolls sideways)"), "code": _("Code (scrolls sideways)")}
        st.html(CSS + SCRIPT.replace("LABELS", json.dumps(labels, ensure_ascii=False)),
                unsafe_allow_javascript=True)
        menu = st.empty()
        try:
            with menu.expander(_("☰ Lessons")):
                for page in pages:
                    if isinstance(page, tuple):
                        file, title, icon = page
                        st.page_link(file, label=_(title), icon=icon)
                    else:
                        st.page_link(page)
        except StreamlitAPIException:  # a page file run on its own (AppTest) has no navigation to link into
            menu.empty()
