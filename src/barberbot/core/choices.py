"""The fixed choices of an inquiry, free of any database code: the models, the capture rules
and the desktop app (which never imports the database layer) share them."""

from __future__ import annotations

import enum


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    OTHER = "other"  # the customer describes it in their own words
    PREFER_NOT_TO_SAY = "prefer_not_to_say"

    @property
    def label(self) -> str:
        if self is Gender.OTHER:
            return "Other / self-described"
        return self.value.replace("_", " ").replace("non binary", "non-binary").capitalize()


class Source(enum.StrEnum):
    WEB_FORM = "web_form"
    API = "api"
    DESKTOP = "desktop"
    IMPORT = "import"


class InquiryStatus(enum.StrEnum):
    """Where an inquiry stands in the shop's inbox."""

    NEW = "new"
    OPEN = "open"  # someone is on it
    WAITING = "waiting"  # on the customer
    BOOKED = "booked"
    CLOSED = "closed"  # with an Outcome
    SPAM = "spam"


class Outcome(enum.StrEnum):
    """How a closed inquiry ended."""

    BOOKED = "booked"
    NOT_INTERESTED = "not_interested"
    NO_ANSWER = "no_answer"
    DUPLICATE = "duplicate"


def listed(choices: type[enum.StrEnum]) -> str:
    """The values of a choice, for a message: 'new, open, waiting'."""
    return ", ".join(choice.value for choice in choices)


DEFAULT_INQUIRY_TYPES: tuple[tuple[str, str], ...] = (
    ("haircut", "Haircut"),
    ("beard_trim", "Beard trim"),
    ("shave", "Shave"),
    ("hair_colouring", "Hair colouring"),
    ("kids_cut", "Kids' cut"),
    ("styling", "Styling"),
    ("pricing_question", "Pricing question"),
    ("booking_request", "Booking request"),
    ("other", "Other"),
)
