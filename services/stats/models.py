"""Tables of the stats service: importing this module registers every one of them on
:data:`services.stats.base.metadata` (Alembic and the tests read it from here)."""

from __future__ import annotations

from services.stats.aggregates import models as _aggregates  # noqa: F401
from services.stats.base import Base, metadata
from services.stats.exchange_rates import models as _rates  # noqa: F401
from services.stats.facts import models as _facts  # noqa: F401
from services.stats.goods_funds import models as _goods_funds  # noqa: F401
from services.stats.history import models as _history  # noqa: F401
from services.stats.institutions import models as _institutions  # noqa: F401
from services.stats.logistics import models as _logistics  # noqa: F401
from services.stats.parties import models as _parties  # noqa: F401
from services.stats.platform import models as _platform  # noqa: F401
from services.stats.rewards.runs import models as _runs  # noqa: F401
from services.stats.settlement import models as _settlement  # noqa: F401
from services.stats.warehouses import models as _warehouses  # noqa: F401

__all__ = ["Base", "metadata"]
