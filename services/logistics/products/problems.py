"""Problem kinds of products."""

from __future__ import annotations

from shared.problems import problem_type

SKU_TAKEN = problem_type("logistics.sku_taken", 409, "The owner already has a product with this SKU")
NOT_THE_OWNER = problem_type(
    "logistics.not_the_owner", 403, "Not the goods' owner (or a platform acting for it)"
)
