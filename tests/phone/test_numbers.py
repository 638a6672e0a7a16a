"""Mobile numbers as people type them become the 11 mainland digits; anything else is refused."""

import pytest
from django.core.exceptions import ValidationError

from shop.phone.services import mobile_clean, mobile_masked


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        (" +86 138 1234 5678 ", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("(+86) 199 0000 1111", "19900001111"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese keyboard
        ("15071234567", "15071234567"),
        ("17712345678", "17712345678"),
    ],
)
def test_a_mainland_mobile_number_is_kept_as_its_eleven_digits(typed, number):
    assert mobile_clean(typed) == number


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "12812345678",  # no mobile range starts 12
        "1381234567",  # ten digits
        "138123456789",  # twelve digits
        "010 6512 3456",  # a Beijing landline
        "+1 415 555 0100",
        "+85291234567",  # Hong Kong
        "13812345678x",
        "abc",
    ],
)
def test_anything_but_a_mainland_mobile_number_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        mobile_clean(typed)

    assert refused.value.code == "cn_mobile"


def test_a_number_is_shown_masked():
    assert mobile_masked("13812345678") == "138****5678"
