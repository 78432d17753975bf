"""Which column of a shop's spreadsheet holds which field, whatever it is called."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# field -> the headers shops use for it (compared after `normalise_header`)
ALIASES: dict[str, tuple[str, ...]] = {
    "customer_name": ("name", "customer name", "customer", "full name", "client", "client name"),
    "age": ("age", "age years", "years"),
    "gender": ("gender", "sex"),
    "inquiry_type": (
        "inquiry type", "enquiry type", "type", "inquiry", "enquiry", "service",
        "what is it about", "reason",
    ),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "mobile number", "cell"),
    "email": ("email", "e mail", "email address", "e mail address", "mail"),
    "message": ("message", "notes", "note", "comments", "comment", "details"),
    "marketing_consent": ("marketing consent", "consent", "marketing", "opt in", "offers"),
    "location": ("location", "shop location", "branch", "counter"),
    "received_at": (
        "received at", "received", "saved at", "date", "date received", "submitted",
        "submitted at", "timestamp", "created at", "when",
    ),
    "id": ("id", "inquiry id", "uuid"),
}  # fmt: skip
ANSWER_PREFIX = "answers."  # a column matched to one of the shop's own questions
REQUIRED = ("customer_name", "age", "gender", "inquiry_type")
CONTACT = ("phone", "email")
LABELS = {
    "customer_name": "Name",
    "age": "Age",
    "gender": "Gender",
    "inquiry_type": "Inquiry type",
    "phone": "Phone",
    "email": "E-mail",
    "message": "Message",
    "marketing_consent": "Marketing consent",
    "location": "Location",
    "received_at": "Received at",
    "id": "Id",
}
_BY_ALIAS = {alias: field for field, aliases in ALIASES.items() for alias in aliases}


class ColumnsInvalid(ValueError):
    """The header row does not give the fields an inquiry needs."""


def normalise_header(header: object) -> str:
    """'E-Mail Address ', 'e_mail_address' and 'EMAIL ADDRESS:' all become 'e mail address'."""
    text = re.sub(r"\(.*?\)", " ", str(header or "")).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


@dataclass(frozen=True)
class ColumnMap:
    fields: dict[str, int]  # field -> column index
    ignored: list[str]  # headers of columns that mean nothing to us
    # column index -> the key of the question it answers, as the owner chose them; None:
    # found by their headers (imports/answers.py)
    answers: dict[int, str] | None = None

    def missing(self) -> list[str]:
        missing = [field for field in REQUIRED if field not in self.fields]
        if not any(field in self.fields for field in CONTACT):
            missing.append("phone")
        return missing


def map_columns(headers: Sequence[object], *, lenient: bool = False) -> ColumnMap:
    """Match each header to a field; two columns for one field is an error (`lenient`: the
    first one is taken, and the owner can choose another)."""
    fields: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        name = normalise_header(header)
        field = _BY_ALIAS.get(name) or _BY_ALIAS.get(name.replace(" ", ""))
        if field is None or (lenient and field in fields):
            if name:
                ignored.append(str(header).strip())
            continue
        if field in fields:
            first = headers[fields[field]]
            raise ColumnsInvalid(
                f"Two columns mean {LABELS[field]}: {str(first).strip()!r} and "
                f"{str(header).strip()!r}. Remove or rename one of them."
            )
        fields[field] = index
    return ColumnMap(fields, ignored)


def describe_missing(missing: Sequence[str]) -> str:
    names = ["Phone or E-mail" if field == "phone" else LABELS[field] for field in missing]
    return ", ".join(names)


def chosen_columns(headers: Sequence[object], choices: Mapping[int, str]) -> ColumnMap:
    """The columns as the owner matched them: column index -> a field, `answers.<key>` for
    one of the shop's questions, or "" for a column not imported."""
    fields: dict[str, int] = {}
    answers: dict[int, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        choice = choices.get(index, "")
        if choice.startswith(ANSWER_PREFIX):
            answers[index] = choice.removeprefix(ANSWER_PREFIX)
        elif choice in LABELS:
            if choice in fields:
                first = headers[fields[choice]]
                raise ColumnsInvalid(
                    f"Two columns are matched to {LABELS[choice]}: {str(first).strip()!r} and "
                    f"{str(header).strip()!r}. Choose one of them."
                )
            fields[choice] = index
        elif normalise_header(header):
            ignored.append(str(header).strip())
    return ColumnMap(fields, ignored, answers)
