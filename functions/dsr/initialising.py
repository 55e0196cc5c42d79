"""Imported first by every handler module: the garbage collector is paused while the function
initialises, and what initialisation built is frozen once it is done.

A cold start imports tens of thousands of objects that live as long as the process: modules,
classes, functions, the libraries' tables. With the collector running, CPython walks them again
and again as they pile up (every 700 allocations, and in full once the heap has grown by a
quarter), finding nothing to free. Pausing it for the imports spares that walk; ``initialised``
then moves everything built so far to the permanent generation (``gc.freeze``), so no later
collection, on any event, walks it either, and turns the collector back on.

``make bench`` holds the libraries' floor to the same wiring, so the comparison stays like for like.
"""

import gc

gc.disable()


def initialised() -> None:
    """The handler module has run to its end: freeze what it built, and collect again."""
    gc.freeze()
    gc.enable()
