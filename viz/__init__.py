"""viz: graph drawings, chain-rule explanations and the forward- and backward-pass player.

    from viz import draw_dot, render, explain, write_html
    L.backward()
    draw_dot(L)                      # a graphviz.Digraph; displays inline in Jupyter
    render(L, "graph.svg")           # or .png, .pdf; .dot/.gv need no Graphviz
    print(explain(L))                # one line per chain-rule step
    write_html(L, "backward.html")   # the forward- then backward-pass player, one offline file
    play(L); explore(f, a=2.0)       # in a notebook: the player, and sliders (the widgets extra)

From a shell: ``python -m viz "tanh(w*x + b)" w=-3 x=2 b=6.88 -o graph.svg``;
``python -m viz.gallery docs`` re-makes the README's pictures. ``trace.py``
numbers a graph, ``dot.py`` draws it (``layout.py`` keeps a network in reading
order), ``explain.py`` and ``text.py`` write the chain rule, ``player.py``,
``player_page.py`` and ``player.js`` make the player; ``notebook.py``,
``widgets.py`` (the only importer of anywidget), ``sliders.py`` and
``explorer.js`` the notebook widgets. A network's structure comes from
``nn.place_of``. Only this package imports ``graphviz``; the engine needs
nothing outside the standard library.
"""

from .dot import DEFAULT_MAX_NODES, GraphTooLargeError, draw_dot
from .explain import ExplainedStep, explain, explain_steps, gradients
from .notebook import explore, play
from .player import player_fragment, player_html, write_html
from .render import GraphvizNotFoundError, render
from .trace import Edge, Trace, TracedNode, trace

__all__ = [
    "draw_dot",
    "render",
    "explain",
    "explain_steps",
    "gradients",
    "write_html",
    "player_html",
    "player_fragment",
    "play",
    "explore",
    "trace",
    "Trace",
    "TracedNode",
    "Edge",
    "ExplainedStep",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "DEFAULT_MAX_NODES",
]
