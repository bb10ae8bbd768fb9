"""MLP Explorer: `streamlit run app.py` starts here. The landing page and the navigation live in
this file; each lesson is one file under pages/."""


import streamlit as st

import ui
from explorer.data import dataset_status
from explorer.data import mnist_status
from explorer.i18n import N_
from ui import room, server
from ui.pages import url_name
from ui.phone import page_chrome
from ui.i18n import _, book_url
from ui.language import app_run, language_switch
from explorer import settings

st.set_page_config(page_title=_("MLP Explorer"), page_icon="🧠", layout="wide")
# First thing in every run, whichever page follows: the session's language and its switch (top of the sidebar).
language_switch()

# (file, title, icon), in the chapter's order; titles are English msgids, shown translated. Each
# page's URL is its file name without the number (/Train_an_MLP, ui/pages.py url_name): the names
# Streamlit gives pages/ files, so a link opened first thing after a server start resolves too.
LESSONS = [
    ("pages/8_Hidden_layers.py", N_("Hidden layers"), "🧩"),
    ("pages/1_Activation_functions.py", N_("Activation functions"), "📈"),
    ("pages/2_Inside_an_MLP.py", N_("Inside an MLP"), "🔬"),
    ("pages/7_Backpropagation.py", N_("Backpropagation"), "🔁"),
    ("pages/3_Train_an_MLP.py", N_("Train an MLP"), "🏋️"),
    ("pages/4_Under_and_overfitting.py", N_("Under- and overfitting"), "〰️"),
    ("pages/5_Weight_decay.py", N_("Weight decay"), "⚖️"),
    ("pages/6_Class_board.py", N_("Class board"), "🎓"),
]


def home() -> None:
    st.title(_("🧠 MLP Explorer"))
    st.markdown(_(
        """
An interactive companion to the **Multilayer Perceptrons** chapter of
[*Dive into Deep Learning*]({book}).
Move a slider, and a real model reacts — with the same numbers the book reports.

The chapter's story, one page at a time:

1. **Hidden layers** — a linear model cannot solve XOR; watch each hidden unit carve the plane along
   a line and the next layer combine them, and N ReLU units add up to any curve.
2. **Activation functions** — a stack of linear layers is still one linear map; a nonlinearity
   such as ReLU is what makes depth worth having. Its gradient decides whether deep nets can learn.
3. **Inside an MLP** — follow one image (or your own drawing) from pixels through XW + b, ReLU and
   softmax to the prediction and its cross-entropy loss; softmax regression is the 0-layer case.
4. **Backpropagation** — one step of learning with the model's own numbers: the gradient flows back
   layer by layer through the chain rule, and the update w ← w − η·g lowers the batch loss.
5. **Train an MLP** — d2l's 784-256-10 network learns Fashion-MNIST live, to about 84 % test
   accuracy in 10 epochs; change width, learning rate and dropout and compare runs.
6. **Under- and overfitting** — fit d2l's cubic with 2, 4 or 20 polynomial features and watch
   training and test loss part ways; let K-fold cross-validation pick the degree.
7. **Weight decay** — 200 features and 20 examples overfit on purpose; an L2 penalty λ closes
   the gap between training and test loss.

In a workshop, the **Class board** shows the whole room's shared runs side by side.
"""
    ).format(book=book_url("chapter_multilayer-perceptrons/index.html")))
    for col, (path, title, icon) in zip(st.columns(len(LESSONS)), LESSONS):
        col.page_link(path, label=_(title), icon=icon)
    ready, status = dataset_status(_=_)
    (st.success if ready else st.warning)(status, icon="📦")
    digits_ready, digits_status = mnist_status(_=_)  # ?dataset=mnist on the pages that train
    (st.success if digits_ready else st.info)(digits_status, icon="✍️")
    st.caption(_(
        "Every page keeps its settings in the link: bookmark or share it to reopen the same "
        "configuration. The same experiments run without the app: `python -m explorer --help`."
    ))
    if ready:
        # Warm the server's dataset cache after the page is drawn, while people read it, so the
        # training page opens with the data already in memory.
        ui.dataset(quiet=True)


def replica_marker() -> None:
    """Behind the proxy (deploy/), say which replica serves this session: for a presenter checking
    the spread of a room, and for the replicas test."""
    replica = settings.get("EXPLORER_REPLICA")
    if replica:
        st.sidebar.caption(_("Served by replica {name}").format(name=replica), help=_(
            "This server runs several copies of the app; your session stays on this one."))


pages = [st.Page(home, title=_("Home"), icon="🧠", default=True)]
pages += [st.Page(path, title=_(title), icon=icon, url_path=url_name(path)) for path, title, icon in LESSONS]
# Navigation across the top: wide lesson titles read well on a projector. (config.toml hides the
# sidebar list Streamlit would otherwise build from pages/ when a deep link is the very first
# request after a server start.)
# Each server process retries the class-board shares that wait on its disk (a restart loses none).
server.spool()
page = st.navigation(pages, position="top")
# Above every page: on a phone, a menu of the lessons (the top navigation folds away there) and what makes
# sideways-scrolling formulas reachable by keyboard (ui/phone.py).
page_chrome(pages)
with app_run():  # so the page knows the switch and the banner are drawn (a page run on its own draws them)
    # In a class: the presenter's suggestion and question, above every page (a fragment asking every few seconds).
    room.banner(page.url_path)
    page.run()
# After the page, because the page's own elements replace what this file draws before run(). A page
# that ends early with st.stop() has no marker; nginx's X-Replica response header names it anyway.
replica_marker()
