"""Tables of the logistics service: importing this module registers every one of them on
:data:`services.logistics.base.metadata` (Alembic and the tests read it from here), beside
the messaging tables (outbox, inbox, dead letters) every service has.

Tracking (issue 10): ``parties`` (the registry mirror), ``shipments`` (shipments, legs,
numbers, waiting inventory links), ``tracking`` (events, statuses seen, customs
milestones), ``subscriptions`` and ``costs``. Warehousing (issue 11): ``warehouses``,
``products``, ``stock``, ``inbound``, ``outbound``, ``counts``,
``customs_inventories``, ``reports``, ``returns``, ``claims``. The carrier simulator: ``simulator``.
"""

from __future__ import annotations

from services.logistics.base import Base, metadata
from services.logistics.claims import models as _claims  # noqa: F401
from services.logistics.costs import models as _costs  # noqa: F401
from services.logistics.counts import models as _counts  # noqa: F401
from services.logistics.customs_inventories import models as _customs  # noqa: F401
from services.logistics.inbound import models as _inbound  # noqa: F401
from services.logistics.outbound import models as _outbound  # noqa: F401
from services.logistics.parties import models as _parties  # noqa: F401
from services.logistics.products import models as _products  # noqa: F401
from services.logistics.reports import models as _reports  # noqa: F401
from services.logistics.returns import models as _returns  # noqa: F401
from services.logistics.shipments import models as _shipments  # noqa: F401
from services.logistics.simulator import models as _simulator  # noqa: F401
from services.logistics.stock import models as _stock  # noqa: F401
from services.logistics.subscriptions import models as _subscriptions  # noqa: F401
from services.logistics.tracking import models as _tracking  # noqa: F401
from services.logistics.warehouses import models as _warehouses  # noqa: F401

__all__ = ["Base", "metadata"]
