"""Writes of the risks app: the register and its approval workflow (``register``), and the monthly
weighted risk score with its investigations (``scoring``). Both are re-exported here, so callers
write ``from risks import services; services.risk_submit(...)``."""

from risks.services.register import *  # noqa: F403
from risks.services.register import _ask_again_if_material, _assess  # noqa: F401
from risks.services.scoring import *  # noqa: F403
