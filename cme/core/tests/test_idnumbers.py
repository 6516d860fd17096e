"""SPEC §10: resident ID numbers validated by GB 11643, masked everywhere, never logged."""

import logging

import pytest

from cme.core import idnumbers
from cme.core.errors import DomainError


def test_valid_number_with_x_check_digit():
    assert idnumbers.validate_resident_id("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_is_read_as_upper_case():
    assert idnumbers.validate_resident_id("11010519491231002x") == "11010519491231002X"


def test_full_width_digits_and_spaces_are_normalised():
    assert (
        idnumbers.validate_resident_id(" １１０１０５ １９４９１２３１００２Ｘ ")
        == "11010519491231002X"
    )


def test_wrong_check_digit_is_refused():
    with pytest.raises(DomainError) as exc:
        idnumbers.validate_resident_id("360426199101010072")
    assert exc.value.code == "ID_CHECKSUM"
    assert "校验位" in exc.value.message


def test_fifteen_digit_legacy_number_is_refused_with_the_reason():
    with pytest.raises(DomainError) as exc:
        idnumbers.validate_resident_id("110105491231002")
    assert exc.value.code == "ID_LEGACY_15"
    assert "18位" in exc.value.message


@pytest.mark.parametrize(
    ("number", "code"),
    [("", "ID_REQUIRED"), ("1101051949123100", "ID_LENGTH"), ("11010519491231002A", "ID_FORMAT")],
)
def test_malformed_numbers_name_the_problem(number, code):
    with pytest.raises(DomainError) as exc:
        idnumbers.validate_resident_id(number)
    assert exc.value.code == code


def test_sex_and_birth_date_are_derived():
    assert idnumbers.sex("11010519491231002X") == "F"
    assert str(idnumbers.birth_date("11010519491231002X")) == "1949-12-31"


def test_mask_keeps_first_and_last_four():
    assert idnumbers.mask("43010219900101123X") == "4301**********123X"


def test_log_lines_never_carry_a_full_number(caplog):
    logger = logging.getLogger("cme.test")
    handler_filter = idnumbers.MaskIdNumbersFilter()
    record = logger.makeRecord(
        "cme.test", logging.INFO, __file__, 1, "looked up %s", ("11010519491231002X",), None
    )
    handler_filter.filter(record)
    assert "11010519491231002X" not in record.getMessage()
    assert "1101**********002X" in record.getMessage()


def test_every_configured_log_handler_masks_id_numbers(settings):
    for handler in settings.LOGGING["handlers"].values():
        assert "mask_id_numbers" in handler.get("filters", [])


def test_error_reports_hide_id_numbers_posted_to_pages(login):
    from django.urls import reverse

    client = login("city_admin")
    for name in ("people:find", "people:add", "people:transfer_out", "people:transfer_in"):
        response = client.post(reverse(name), {"id_number": "11010519491231002X"})
        assert response.wsgi_request.sensitive_post_parameters == ("id_number",), name
