"""Tables of the logistics service: importing this module registers every one of them on
:data:`services.logistics.base.metadata` (Alembic and the tests read it from here), beside
the messaging tables (outbox, inbox, dead letters) every service has."""

from __future__ import annotations

from services.logistics.base import Base, metadata
from services.logistics.counts import models as _counts  # noqa: F401
from services.logistics.customs_inventories import models as _customs  # noqa: F401
from services.logistics.inbound import models as _inbound  # noqa: F401
from services.logistics.outbound import models as _outbound  # noqa: F401
from services.logistics.products import models as _products  # noqa: F401
from services.logistics.stock import models as _stock  # noqa: F401
from services.logistics.warehouses import models as _warehouses  # noqa: F401

__all__ = ["Base", "metadata"]
