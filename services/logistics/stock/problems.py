"""Problem kinds of stock."""

from __future__ import annotations

from shared.problems import problem_type

STOCK_INSUFFICIENT = problem_type(
    "logistics.stock_insufficient", 409, "Not enough stock: the movement would make stock negative"
)
MOVEMENT_KEY_REUSED = problem_type(
    "logistics.movement_key_reused", 409, "This movement key was already used for a different movement"
)
MOVEMENT_IN_FLIGHT = problem_type(
    "logistics.movement_in_flight", 409, "The same movement is being recorded right now; retry"
)
LOT_UNKNOWN = problem_type("logistics.lot_unknown", 422, "No such lot of this SKU in this warehouse")
