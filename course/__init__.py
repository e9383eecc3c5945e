"""course: the applications that use the engine, nn and viz together, on top of all three.

    python -m course.demo                          # train an MLP on two moons; pictures in demo-output/
    python -m course.lessons NAME|all --out DIR    # the lessons of backpropagation, a figure each

``demo.py`` is the training demo (``make demo``); ``lessons/`` holds the
lessons, one module each (``from course.lessons import run``). The packages
below never import this one: autograd_core <- nn <- viz <- course.
"""
