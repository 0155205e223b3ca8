"""Pages of the risks app: the risk register (``register``) and the monthly weighted risk score with its
investigations (``scoring``). Both are re-exported here, so ``risks/urls.py`` writes ``views.RiskListView``."""

from risks.views.register import *  # noqa: F403
from risks.views.scoring import *  # noqa: F403
