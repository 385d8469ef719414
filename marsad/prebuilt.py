"""A parallel run's pipelines, built once in the fork server that starts its worker processes.

``marsad.parallel`` starts local workers with the ``forkserver`` method and has the server import
this module first: the gazetteer, lexicons and models are loaded once, and every worker forked
from the server starts with them in place (shared copy-on-write until touched) instead of
importing and building everything again.
"""

from __future__ import annotations

from marsad.pipeline import Pipeline
from marsad.runner import BACK, FRONT, long_lived

with long_lived():
    FRONT_PIPELINE = Pipeline.from_names(list(FRONT))
    BACK_PIPELINE = Pipeline.from_names(list(BACK))
