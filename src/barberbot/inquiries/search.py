"""The inbox's search: the words typed, found in names, e-mails, phones and messages.

Each word typed must begin a word of the inquiry (`"jo sm"` finds "John Smith", `"fade"` a
message asking for a skin fade; accents and case do not matter); a phone number, typed as the
customer wrote it or in E.164, is one word of digits, found at the start of the number with or
without its country code. An e-mail is a word whole as well as cut at its dots and `@`.

Inquiries of the days the settling rounds have indexed (`search_index.py`,
`SearchMark.indexed_before`) are found in `inquiry_terms`: a range of its (shop, term) key for
one word, each candidate's own terms for the others; the newer ones, not indexed yet, by
reading them (a day or so of them). The ids found then lead the query (`narrowed`).

Words that many inquiries have (`common`: "fade", "saturday") are searched the other way
round: the shop's inquiries newest first, each tested for the words (`having`), as a page
of them is among the newest few hundred; reading every inquiry with the word would take
longer the busier the shop.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import phonenumbers
from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    false,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import HasHints

from barberbot.core.folding import Folded, folded
from barberbot.models import Inquiry, InquiryTerm, SearchMark
from barberbot.models.search import TERM_MAX

INQUIRY_INDEX = "ix_inquiry_terms_inquiry"
HintedT = TypeVar("HintedT", bound=HasHints)
MYSQL_DIALECTS = ("mysql", "mariadb")  # SQLAlchemy's names for MySQL, by the server it found

_WORD = re.compile(r"[^\W_]+")  # letters and digits, any script
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")
TERMS_MAX = 48  # of one inquiry: a long message is indexed by its first words
WORDS_MAX = 6  # of one search
COMMON = 2_000  # inquiries with a word, from which it is searched newest inquiries first


def terms(name: str, email: str | None, phone: str | None, message: str) -> set[str]:
    """The terms an inquiry is found by."""
    found = _words(name)
    if email:
        found |= _words(email)
        found.add(email.lower()[:TERM_MAX])
    if phone:
        found |= _phone_terms(phone)
    for word in _ordered_words(message):
        if len(found) >= TERMS_MAX:
            break
        found.add(word)
    return found


def words(text: str) -> list[str]:
    """What to look for: the typed words (at most WORDS_MAX), or a phone number's digits."""
    if _PHONE_LIKE.match(text) and sum(c.isdigit() for c in text) >= 3:
        digits = re.sub(r"\D", "", text)
        return [digits.lstrip("0") or digits]
    return list(dict.fromkeys(_ordered_words(text)))[:WORDS_MAX]


def narrowed(query: Select[Inquiry], shop_ids: Sequence[int], text: str) -> Select[Inquiry]:
    """`query` (of these shops' inquiries) narrowed to those with every word of `text`.

    The ids found lead: they are a table of their own (the indexed inquiries by their terms,
    the newer ones by reading them), joined to the inquiries by id. A search typed is
    usually rarer than any other filter, and without it leading both databases would rather
    read the shop's inquiries newest first and test each against the words.
    """
    wanted = words(text)
    if not wanted or not shop_ids:
        return query.where(false())  # nothing searchable typed (punctuation)
    parts = [_indexed(shop_id, wanted) for shop_id in shop_ids]
    parts += [_not_indexed(shop_id, wanted) for shop_id in shop_ids]
    found = union(*parts).subquery("found")
    led = query.select_from(found).join(Inquiry, found.c[0] == Inquiry.id)
    for dialect in MYSQL_DIALECTS:  # found first: MariaDB would rather scan the shop
        led = led.prefix_with("STRAIGHT_JOIN", dialect=dialect)
    return led


def common(session: Session, shop_ids: Sequence[int], text: str) -> bool:
    """Every word typed begins a term of at least COMMON of these shops' inquiries."""
    wanted = words(text)
    return bool(wanted) and all(_at_least(session, shop_ids, word) for word in wanted)


def _at_least(session: Session, shop_ids: Sequence[int], word: str) -> bool:
    """Counted in the index only as far as COMMON: a few thousand of its entries at most."""
    seen = 0
    for shop_id in shop_ids:
        some = (
            select(literal(1))
            .where(InquiryTerm.shop_id == shop_id, *_begins(InquiryTerm, word))
            .limit(COMMON - seen)
        )
        seen += session.scalar(select(func.count()).select_from(some.subquery())) or 0
        if seen >= COMMON:
            return True
    return False


@dataclass(frozen=True)
class Matcher:
    """The test of one search for one inquiry at a time (`having`): the words, and the
    not-yet-indexed inquiries that have them, read once (a day or so of the shops')."""

    wanted: list[str]
    fresh: list[uuid.UUID]

    def having(
        self, inquiry_id: SQLColumnExpression[uuid.UUID], shop_id: SQLColumnExpression[int]
    ) -> ColumnElement[bool]:
        """The inquiry (`inquiry_id` of `shop_id`, columns of the query it tests) has every
        word: among its terms, or it is one of the fresh ones found with them."""
        if not self.wanted:
            return false()
        every = [_has_term(inquiry_id, word, shop_id) for word in self.wanted]
        return or_(and_(*every), inquiry_id.in_(self.fresh)) if self.fresh else and_(*every)


def matcher(session: Session, shop_ids: Sequence[int], text: str) -> Matcher:
    wanted = words(text) if shop_ids else []
    if not wanted:
        return Matcher([], [])
    parts = [_not_indexed(shop, wanted) for shop in shop_ids]
    fresh = list(session.scalars(union(*parts) if len(parts) > 1 else parts[0]))
    return Matcher(wanted, fresh)


def _indexed(shop_id: int, wanted: list[str]) -> Select[uuid.UUID]:
    """The indexed inquiries with a term beginning with each word: one range of the index for
    the likeliest rarest word (one with digits, else the longest), then each of the
    candidates' own terms (by inquiry) for the other words."""
    driver = max(wanted, key=lambda word: (any(c.isdigit() for c in word), len(word)))
    found = aliased(InquiryTerm)
    query = select(found.inquiry_id).where(found.shop_id == shop_id, *_begins(found, driver))
    others = [_has_term(found.inquiry_id, word) for word in wanted if word != driver]
    return query.where(*others)


def _has_term(
    inquiry_id: SQLColumnExpression[uuid.UUID],
    word: str,
    shop_id: SQLColumnExpression[int] | None = None,
) -> ColumnElement[bool]:
    """The inquiry has a term beginning with `word`: read among its own terms (by the index on
    the inquiry; MariaDB is told so, as it would rather read the word's whole range of the
    shop's terms for every inquiry it tests)."""
    term = aliased(InquiryTerm)
    query = select(term.inquiry_id).where(term.inquiry_id == inquiry_id, *_begins(term, word))
    if shop_id is not None:
        query = query.where(term.shop_id == shop_id)
    return force_index(query, term, INQUIRY_INDEX).exists()


def force_index(query: HintedT, table: Any, index: str) -> HintedT:
    """`query` reading `table` by `index` on MySQL and MariaDB (SQLite chooses well alone)."""
    for dialect in MYSQL_DIALECTS:
        query = query.with_hint(table, f"FORCE INDEX ({index})", dialect)
    return query


def _begins(terms: type[InquiryTerm], word: str) -> list[ColumnElement[bool]]:
    """The term begins with `word`: a range, so an index reads it."""
    return [terms.term >= word, terms.term < _after(word)]


def _after(word: str) -> str:
    """The first string after every string that begins with `word`."""
    return word[:-1] + chr(ord(word[-1]) + 1)


def _not_indexed(shop_id: int, wanted: list[str]) -> Select[uuid.UUID]:
    """The shop's inquiries the index does not hold yet, each word found in them as text."""
    indexed_before = (
        select(SearchMark.indexed_before).where(SearchMark.shop_id == shop_id).scalar_subquery()
    )
    since = func.coalesce(indexed_before, literal(datetime(1970, 1, 1)))
    return select(Inquiry.id).where(
        Inquiry.shop_id == shop_id,
        Inquiry.received_at >= since,
        and_(*[_contains(word) for word in wanted]),
    )


def _contains(word: str) -> ColumnElement[bool]:
    """The (folded) word anywhere in the name, e-mail, message or phone, accents aside."""
    return or_(
        Folded(Inquiry.customer_name).contains(word, autoescape=True),
        Inquiry.email.contains(word, autoescape=True),  # kept lower case, ASCII mostly
        Folded(Inquiry.message).contains(word, autoescape=True),
        Inquiry.phone.contains(word, autoescape=True),
    )


def _words(text: str) -> set[str]:
    return set(_ordered_words(text))


def _ordered_words(text: str) -> list[str]:
    plain = folded(text)
    return [w[:TERM_MAX] for w in _WORD.findall(plain)]


def _phone_terms(phone: str) -> set[str]:
    """An E.164 number's digits, whole and without the country code ('+447700900123':
    '447700900123' and '7700900123'), so a number typed either way is a prefix of one."""
    digits = phone.lstrip("+")
    found = {digits}
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return found
    found.add(str(number.national_number))
    return found
