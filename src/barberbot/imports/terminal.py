"""What `barberbot import` says and asks for beyond the rows: the inquiry types the shop does
not have (--add-types, --map-type), the dates the rows get, numbers of another country."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from sqlalchemy.orm import Session

from barberbot.imports import type_choices
from barberbot.imports.importer import ImportPlan, TypeChoices, undated_note
from barberbot.imports.reader import Table
from barberbot.models import Shop


@dataclass(frozen=True)
class TypeOptions:
    add: bool  # --add-types
    maps: list[str]  # each --map-type "Label in the file=key"

    def choose(
        self, session: Session, shop: Shop, table: Table, dry_run: bool
    ) -> tuple[TypeChoices, list[type_choices.UnknownType]]:
        """The sheet's types read as the shop's: mapped, added (only imagined in a dry run),
        and the unknown ones left without a choice (their rows are rejected). Raises
        TypeChoicesInvalid for a mapping to no type of the shop's, or a type it cannot add."""
        known = shop.type_labels()
        maps = dict(type_choices.parse_mapping(option, known) for option in self.maps)
        unknown = type_choices.unknown_types(table, known)
        chosen = {type_choices.words(u.label): type_choices.ADD for u in unknown if self.add}
        chosen |= maps
        unchosen = _report_types(unknown, chosen, maps, table)
        if dry_run:
            type_map, added = type_choices.planned(unknown, chosen, known)
            return TypeChoices(type_map | maps, added), unchosen
        type_map = type_choices.apply(session, shop, unknown, chosen)
        added = {key: shop.type_labels()[key] for key in type_map.values() if key not in known}
        return TypeChoices(type_map | maps, added), unchosen


def _report_types(
    unknown: list[type_choices.UnknownType],
    chosen: dict[str, str],
    maps: dict[str, str],
    table: Table,
) -> list[type_choices.UnknownType]:
    for words in maps.keys() - _type_words(table):
        typer.secho(f"No row has the inquiry type {words!r} (--map-type).", err=True)
    left = [u for u in unknown if type_choices.words(u.label) not in chosen and not u.similar]
    if left:
        named = ", ".join(f"{u.label!r} ({u.rows} row{'s' if u.rows != 1 else ''})" for u in left)
        typer.secho(
            f"Inquiry types the shop does not have: {named}. Add them with --add-types, or "
            f'map each with --map-type "{left[0].label}=<type key>".',
            fg=typer.colors.YELLOW,
            err=True,
        )
    return left


def _type_words(table: Table) -> set[str]:
    column = table.columns.fields.get("inquiry_type")
    if column is None:
        return set()
    cells = (cells[column] for _, cells in table.rows if column < len(cells))
    return {type_choices.words(str(cell)) for cell in cells if cell is not None}


def report_added(types: TypeChoices, done: str) -> None:
    if types.added:
        named = ", ".join(f"{label} ({key})" for key, label in types.added.items())
        typer.echo(f"Inquiry types {done}: {named}.")


def report_notes(plan: ImportPlan) -> None:
    """The dates the rows get, and the numbers of another country (imported all the same)."""
    if plan.undated:
        typer.echo(undated_note(plan), err=True)
    if not plan.notes:
        return
    typer.secho(
        f"Phone numbers of another country ({len(plan.notes)} rows, imported as they are):",
        fg=typer.colors.YELLOW,
        err=True,
    )
    for note in plan.notes:
        typer.echo(f"  {note.describe()}", err=True)
