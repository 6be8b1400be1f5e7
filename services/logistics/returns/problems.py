"""Problem kinds of returns."""

from __future__ import annotations

from shared.problems import problem_type

RETURN_WINDOW_CLOSED = problem_type(
    "logistics.return_window_closed", 422, "The parcel's return window does not include today"
)
RETURN_NOT_RELEASED = problem_type(
    "logistics.return_not_released",
    409,
    "Customs has not released the parcel: its return window has not begun",
)
RETURN_STATE = problem_type("logistics.return_state", 409, "The return's status does not allow this")
RETURN_REFERENCE_TAKEN = problem_type(
    "logistics.return_reference_taken", 409, "This reference already names another return of the owner"
)
NOT_THE_PARCEL_OWNER = problem_type(
    "logistics.not_the_parcel_owner", 403, "Only the parcel's owner may return it"
)
