"""All ORM models, imported here so metadata and Alembic see every table."""

from barberbot.models.base import Base
from barberbot.models.inquiry import Gender, IdempotencyKey, Inquiry, Source
from barberbot.models.shop import Shop
from barberbot.models.user import ApiToken, Membership, Role, User

__all__ = [
    "ApiToken",
    "Base",
    "Gender",
    "IdempotencyKey",
    "Inquiry",
    "Membership",
    "Role",
    "Shop",
    "Source",
    "User",
]
