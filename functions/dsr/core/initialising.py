"""Imported first by every handler module: the garbage collector is paused while the function
initialises, and what initialisation built is frozen once it is done.

A cold start imports tens of thousands of objects that live as long as the process: modules,
classes, functions, the libraries' tables. With the collector running, CPython walks them again
and again as they pile up (every 700 allocations, and in full once the heap has grown by a
quarter), finding nothing to free. Pausing it for the imports spares that walk; ``initialised``
then moves everything built so far to the permanent generation (``gc.freeze``), so no later
collection, on any event, walks it either, and turns the collector back on.

The libraries every function uses are imported here too, from the top of the import. CPython
3.12 keeps its frames on a stack of 16 KB chunks, and a call that starts a new chunk maps one and
unmaps it on return. Imported from deep inside the desk's own modules, boto3's start-up ran its
many small calls right at such a boundary: 400 to 1,600 ``mmap`` calls per cold start, about a
tenth of the email intake's start-up time. Loaded here, first, it costs each function what it
costs the libraries' floor, which loads it the same way.

``make bench`` holds the libraries' floor to the same wiring, so the comparison stays like for like.
"""

import gc

gc.disable()

import boto3  # noqa: E402, F401 - see above: imported at the top, before the desk's modules


def initialised() -> None:
    """The handler module has run to its end: freeze what it built, and collect again."""
    gc.freeze()
    gc.enable()
