"""The answer rules on their own: one clear message per bad answer, clean values kept."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from barberbot.forms.answers import LONG_TEXT_MAX, SHORT_TEXT_MAX, check_answers
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.forms.schemas import FormUpdate
from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from tests.factories import form_fields, inquiry_payload

FORM = FormDefinition(
    version=1, fields=tuple(FormUpdate.model_validate({"fields": form_fields()}).fields)
)
TYPES = {"beard_trim": "Beard trim"}


def test_good_answers_come_back_clean() -> None:
    answers, errors = check_answers(
        FORM,
        {
            "barber": "  Sam   the  barber ",
            "notes": "Line one\nline two",
            "visits": "12",
            "hair_type": "curly",
            "heard_from": ["Instagram", "Friend", ""],
            "preferred_day": "2026-12-05",
            "first_visit": "yes",
        },
    )

    assert errors == {}
    assert answers == {
        "barber": "Sam the barber",
        "notes": "Line one\nline two",
        "visits": 12,
        "hair_type": "Curly",
        "heard_from": ["Friend", "Instagram"],  # in the form's order
        "preferred_day": "2026-12-05",
        "first_visit": True,
    }


def test_blank_optional_answers_are_left_out() -> None:
    answers, errors = check_answers(FORM, {"hair_type": "Wavy", "barber": " ", "heard_from": []})

    assert errors == {}
    assert answers == {"hair_type": "Wavy"}


@pytest.mark.parametrize(
    ("raw", "key", "message"),
    [
        ({"shoe_size": "44"}, "answers.shoe_size", "This form has no such question."),
        ({"visits": "many"}, "answers.visits", "Answer with a number, like 3 or 2.5."),
        ({"visits": [3]}, "answers.visits", "Answer with a number."),
        ({"visits": True}, "answers.visits", "Answer with a number."),
        ({"visits": 53}, "answers.visits", "The largest answer is 52."),
        ({"visits": -1}, "answers.visits", "The smallest answer is 0."),
        ({"barber": 7}, "answers.barber", "Answer with text."),
        ({"hair_type": "Bald"}, "answers.hair_type", "Choose one of: Straight, Wavy, Curly."),
        (
            {"heard_from": "Friend"},
            "answers.heard_from",
            "Answer with a list of the options chosen.",
        ),
        (
            {"heard_from": ["Radio"]},
            "answers.heard_from",
            "Choose one of: Friend, Instagram, Walked past.",
        ),
        (
            {"preferred_day": "next friday"},
            "answers.preferred_day",
            "Answer with a date like 2026-05-31.",
        ),
        ({"first_visit": "maybe"}, "answers.first_visit", "Answer yes or no."),
        (
            {"barber": "x" * (SHORT_TEXT_MAX + 1)},
            "answers.barber",
            f"Please keep this under {SHORT_TEXT_MAX} characters.",
        ),
        (
            {"notes": "x" * (LONG_TEXT_MAX + 1)},
            "answers.notes",
            f"Please keep this under {LONG_TEXT_MAX} characters.",
        ),
    ],
)
def test_each_bad_answer_gets_its_own_message(raw: dict[str, Any], key: str, message: str) -> None:
    _, errors = check_answers(FORM, {"hair_type": "Wavy", **raw})

    assert errors == {key: message}


def test_a_required_question_left_blank() -> None:
    _, errors = check_answers(FORM, {"hair_type": ""})

    assert errors == {"answers.hair_type": "Please answer this question."}


def test_answers_that_are_not_an_object() -> None:
    _, errors = check_answers(FORM, ["Curly"])

    assert errors == {"answers": "Send the answers as an object of question keys and answers."}


def test_web_form_and_api_report_the_same_errors_together_with_standard_fields() -> None:
    body = inquiry_payload(age="abc", answers={"hair_type": "Bald", "shoe_size": 44})
    expected = {
        "age": "Age must be a whole number, like 34.",
        "answers.hair_type": "Choose one of: Straight, Wavy, Curly.",
        "answers.shoe_size": "This form has no such question.",
    }

    with pytest.raises(InquiryInvalid) as from_form:
        validate_inquiry(body, TYPES, FORM)

    with pytest.raises(InquiryInvalid) as from_api:
        validate_inquiry(orjson.dumps(body), TYPES, FORM)

    assert from_form.value.errors == expected
    assert from_api.value.errors == expected


def test_answers_to_a_shop_without_a_form_are_refused() -> None:
    with pytest.raises(InquiryInvalid) as invalid:
        validate_inquiry(inquiry_payload(answers={"hair_type": "Curly"}), TYPES, NO_FORM)

    assert invalid.value.errors == {"answers.hair_type": "This form has no such question."}


def test_retired_questions_are_no_longer_accepted() -> None:
    retired = FormDefinition(
        2, tuple(f.model_copy(update={"retired": f.key == "barber"}) for f in FORM.fields)
    )

    _, errors = check_answers(retired, {"hair_type": "Wavy", "barber": "Sam"})

    assert errors == {"answers.barber": "This form has no such question."}
