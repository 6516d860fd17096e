"""QuickSelect renders exactly what Django's Select renders, only faster."""

import pytest
from django import forms
from django.test.html import parse_html

from cme.core.forms import QuickSelect

pytestmark = pytest.mark.django_db  # the suite's reference data is loaded for every session

CHOICES = [
    ("", "请选择学科"),
    ("01", "01 基础医学"),
    ("02", '02 <临床> & "内科"'),
    ("组", [("03", "03 护理学"), ("04", "04 药学")]),
]


def both(value, attrs=None):
    quick = QuickSelect(choices=CHOICES, attrs=attrs).render("discipline", value)
    django = forms.Select(choices=CHOICES, attrs=attrs).render("discipline", value)
    return parse_html(quick), parse_html(django)


def test_it_renders_what_djangos_select_renders():
    for value in ["", "02", "04", None]:
        quick, django = both(value, {"class": "form-select", "required": True, "id": "id_d"})
        assert quick == django, value


def test_the_chosen_option_is_selected_and_labels_are_escaped():
    html = QuickSelect(choices=CHOICES).render("discipline", "02")
    assert '<option value="02" selected>02 &lt;临床&gt; &amp; &quot;内科&quot;</option>' in html
