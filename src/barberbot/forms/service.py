"""Reading and saving a shop's form versions. Services flush; the edge commits."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.forms.schemas import FormField, FormUpdate
from barberbot.models import FormVersion, Shop, User


class FormInvalid(Exception):
    """An edit that would break earlier answers; a message per field of the edit."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def current(session: Session, shop: Shop) -> FormDefinition:
    """The latest version of the shop's form (version 0, no fields, if it never made one)."""
    query = (
        select(FormVersion)
        .where(FormVersion.shop_id == shop.id)
        .order_by(FormVersion.version.desc())
        .limit(1)
    )
    row = session.scalars(query).first()
    return NO_FORM if row is None else _definition(row)


def version(session: Session, shop: Shop, number: int) -> FormDefinition | None:
    row = session.get(FormVersion, (shop.id, number))
    return None if row is None else _definition(row)


def _definition(row: FormVersion) -> FormDefinition:
    return FormDefinition.from_stored(row.version, row.fields, row.created_at)


def save(
    session: Session, shop: Shop, update: FormUpdate, *, by: User | None = None
) -> FormDefinition:
    """A new version from the edit; fields left out are kept as retired. No change, no version."""
    latest = current(session, shop)
    fields = merged(latest, update.fields)
    if fields == latest.fields:
        return latest
    row = FormVersion(
        shop_id=shop.id,
        version=latest.version + 1,
        fields=[f.model_dump(mode="json") for f in fields],
        created_by=by.id if by is not None else None,
    )
    session.add(row)
    session.flush()
    return _definition(row)


def merged(latest: FormDefinition, edited: list[FormField]) -> tuple[FormField, ...]:
    """The edited fields, then earlier fields the edit left out, retired: no key is forgotten.

    A key keeps its type for good: its earlier answers were given as that type.
    """
    earlier = {f.key: f for f in latest.fields}
    errors = {
        f"fields.{index}.type": (
            f"'{field.key}' was a {earlier[field.key].type.label.lower()} question; retire it "
            "and add a question with a new key instead."
        )
        for index, field in enumerate(edited)
        if field.key in earlier and earlier[field.key].type != field.type
    }
    if errors:
        raise FormInvalid(errors)
    kept = {f.key for f in edited}
    left_out = [
        f if f.retired else f.model_copy(update={"retired": True})
        for f in latest.fields
        if f.key not in kept
    ]
    return (*edited, *left_out)
