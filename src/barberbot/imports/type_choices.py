"""Inquiry types in a sheet that the shop does not have, and what the owner chose for each:
one of the shop's types, or a new type of the shop's (`shops.inquiry_types.add`).

A cell names a type the way the capture rules accept it: its key or its label, in any case.
The sheet's other names are "unknown"; they are matched to choices by their words (case,
spacing and accents aside), so "Beard Trim Inquiry" and "beard trim  inquiry" are one type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from barberbot.core.folding import folded
from barberbot.imports.reader import Table
from barberbot.models import Shop
from barberbot.shops import inquiry_types

ADD = "+new"  # the choice to add the sheet's name as a new inquiry type of the shop


class TypeChoicesInvalid(ValueError):
    """A choice that cannot be followed, with a message per unknown type (or option)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(" ".join(errors.values()))


@dataclass(frozen=True)
class UnknownType:
    label: str  # as the sheet first writes it
    rows: int
    similar: str | None = None  # the key of a shop's type it differs from only in writing


def words(text: str) -> str:
    """How a sheet's type name is compared with others and with choices."""
    return " ".join(folded(text).split())


def unknown_types(table: Table, known: Mapping[str, str]) -> list[UnknownType]:
    """The sheet's type names that are neither a key nor a label of `known`, in sheet order."""
    column = table.columns.fields.get("inquiry_type")
    if column is None:
        return []
    accepted = {name.casefold() for key, label in known.items() for name in (key, label)}
    found: dict[str, tuple[str, int]] = {}
    for _, cells in table.rows:
        text = str(cells[column] if column < len(cells) and cells[column] is not None else "")
        if not text.strip() or text.strip().casefold() in accepted:
            continue
        label, rows = found.get(words(text), (" ".join(text.split()), 0))
        found[words(text)] = (label, rows + 1)
    return [UnknownType(label, rows, _similar(label, known)) for label, rows in found.values()]


def _similar(label: str, known: Mapping[str, str]) -> str | None:
    """A shop's type written another way ('beard-trim', 'Haircút' for 'Haircut')."""
    wanted = inquiry_types.key_for(label, [])
    for key, name in known.items():
        if wanted in (key, inquiry_types.key_for(name, [])):
            return key
    return None


def parse_mapping(option: str, known: Mapping[str, str]) -> tuple[str, str]:
    """'Beard Trim Inquiry=beard_trim' (a key or a label on the right) -> (words, key)."""
    label, sep, target = option.rpartition("=")
    if not sep or not label.strip() or not target.strip():
        raise TypeChoicesInvalid(
            {option: f'--map-type {option!r}: write it as "Label in the file=type key".'}
        )
    wanted = target.strip().casefold()
    for key, name in known.items():
        if wanted in (key.casefold(), name.casefold()):
            return words(label), key
    listed = ", ".join(f"{key} ({name})" for key, name in known.items())
    raise TypeChoicesInvalid(
        {option: f"--map-type {option!r}: the shop has no inquiry type {target.strip()!r}. "
         f"Its types are: {listed}."}
    )  # fmt: skip


def planned(
    unknown: Iterable[UnknownType], choices: Mapping[str, str], known: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """For checking rows before anything is stored: (the sheet's words -> a key, the new types
    the choices would add: key -> label). `choices`: the unknown types' words -> a key or ADD
    (without one: the similar type, if any)."""
    type_map: dict[str, str] = {}
    added: dict[str, str] = {}
    for sheet_type in unknown:
        choice = _choice(sheet_type, choices)
        if choice == ADD:
            choice = inquiry_types.key_for(sheet_type.label, [*known, *added])
            added[choice] = sheet_type.label
        if choice in known or choice in added:
            type_map[words(sheet_type.label)] = choice
    return type_map, added


def apply(
    session: Session, shop: Shop, unknown: Iterable[UnknownType], choices: Mapping[str, str]
) -> dict[str, str]:
    """Add the new types the choices ask for (flushed: the caller's transaction commits them
    with the import, or drops them with it); the sheet's words -> the key they import as."""
    type_map: dict[str, str] = {}
    errors: dict[str, str] = {}
    for sheet_type in unknown:
        choice = _choice(sheet_type, choices)
        if choice == ADD:
            try:
                choice = inquiry_types.add(session, shop, sheet_type.label)
            except inquiry_types.TypeInvalid as invalid:
                errors[words(sheet_type.label)] = f"{sheet_type.label!r}: {invalid}"
                continue
        if choice in shop.type_labels():
            type_map[words(sheet_type.label)] = choice
    if errors:
        raise TypeChoicesInvalid(errors)
    return type_map


def _choice(sheet_type: UnknownType, choices: Mapping[str, str]) -> str:
    """The owner's choice; a type the shop has, written another way, is that type."""
    choice = choices.get(words(sheet_type.label), "")
    if sheet_type.similar and choice in ("", ADD):
        return sheet_type.similar
    return choice
