"""viz: graph drawings, chain-rule explanations and the forward- and backward-pass player.

    from viz import draw_dot, render, explain, write_html
    L.backward()
    draw_dot(L)                      # a graphviz.Digraph; displays inline in Jupyter
    render(L, "graph.svg")           # or .png, .pdf; .dot/.gv need no Graphviz
    print(explain(L))                # one line per chain-rule step
    print(explain(L, tangents={x: 1.0}))   # forward mode: each node's tangent
    write_html(L, "backward.html")   # the forward- then backward-pass player, one offline file
    render(L, "graph.tex"); to_tikz(L)   # the drawing as a TikZ picture, for pdflatex
    write_slides(L, "slides.tex")    # a Beamer frame: an overlay per step of the player
    animate(L, "backward.gif")       # or .mp4, .svg: a frame per step of the player
    play(L); explore(f, a=2.0)       # in a notebook: the player, and sliders (the widgets extra)
    exercise(L)                      # the backward pass to fill in: .answer(step, text)
    exercise_widget(exercise(L))     # in a notebook: the exercise on the player

From a shell: ``python -m viz "tanh(w*x + b)" w=-3 x=2 b=6.88 -o graph.svg``;
``python -m viz exercise "tanh(w*x + b)" w=-3 x=2 b=6.88`` asks for the local
derivatives.
``trace.py`` numbers a graph, ``dot.py`` draws it (``layout.py`` keeps a
network in reading order) as a ``drawing.Drawing`` (``drawing.py`` runs
Graphviz and shows a drawing in a notebook), ``render.py`` writes it to a
file, ``explain.py``, ``tangents.py`` (forward mode) and ``text.py`` write the
chain rule, ``exercise.py`` checks a student's answers (parsed by
``expression.py``), ``player.py``, ``player_page.py`` and ``player.js`` make
the player; ``notebook.py`` (``play``, ``explore``, ``exercise_widget``),
``widgets.py`` (the only importer of anywidget), ``sliders.py``,
``player_widget.js``, ``exercise_widget.js`` and ``explorer.js`` the notebook
widgets; ``scene.py`` reads a drawing back from Graphviz shape by shape and
plays the player's steps on it, for ``export.py`` (TikZ, Beamer, GIF, MP4).
No module imports one that imports it back. A network's structure
comes from ``nn.place_of``. Only this package imports ``graphviz``; the engine
needs nothing outside the standard library.
"""

from .dot import GraphTooLargeError, draw_dot
from .drawing import GraphvizNotFoundError
from .exercise import exercise
from .explain import explain, gradients
from .export import animate, to_tikz, write_slides
from .notebook import exercise_widget, explore, play
from .player import player_fragment, write_html
from .render import render

# The names the docs teach (docs/reference/); everything else is imported from its module
# (``viz.trace.trace``, ``viz.exercise.Exercise``, ``viz.drawing.Drawing``, ...).
__all__ = [
    "draw_dot",
    "render",
    "explain",
    "gradients",
    "write_html",
    "player_fragment",
    "to_tikz",
    "write_slides",
    "animate",
    "play",
    "explore",
    "exercise",
    "exercise_widget",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
]
