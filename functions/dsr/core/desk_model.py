"""The base of the desk's pydantic models: each is built the first time it is used.

Building a model's validator and serializer costs about a millisecond; the desk has some fifty
models, and a function's paths use a few of them. ``defer_build`` moves that work from every
cold start to the first validation (or ``model_json_schema``, or ``model_rebuild()``), and only
for the models a path uses. Functions published with a snapshot build theirs before it
(``dsr.wiring.snapshot``), so a resumed environment's first event builds nothing.

Making the class itself still reads every field's annotation. A module that makes models does
not postpone its annotations (``from __future__ import annotations``): postponed, each is a
string that pydantic evaluates again, about two fifths of making a model. Names it imports only
to check types are written in quotes there instead.
"""

from pydantic import BaseModel, ConfigDict


class DeskModel(BaseModel):
    """A pydantic model built on first use; subclasses add their own ``model_config``."""

    model_config = ConfigDict(defer_build=True)
