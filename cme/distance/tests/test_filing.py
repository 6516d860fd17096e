"""A distance-learning provider is filed with a city, files its courses there, and only
filed providers' filed courses count (003 §十二)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.errors import Conflict, DomainError, PermissionDenied
from cme.core.models import AuditEvent
from cme.distance import filings
from cme.distance.models import Course, ProviderFiling
from cme.distance.tests.conftest import add_course, apply, pdf


def test_provider_applies_and_changsha_files_it(cast, provider):
    filing = apply(cast)
    assert filing.state == ProviderFiling.State.SUBMITTED
    assert filing.provider == provider and filing.city == cast.changsha
    filed = filings.decide_filing(filing, actor=cast.users["changsha"], accept=True)
    assert filed.state == ProviderFiling.State.FILED and filed.decided_by == cast.users["changsha"]
    actions = list(
        AuditEvent.objects.filter(
            object_type="distance.providerfiling", object_id=str(filing.pk)
        ).values_list("action", flat=True)
    )
    assert set(actions) == {"distance.filing_apply", "distance.filing_decide"}


def test_the_commitment_and_a_scan_are_required(cast, provider):
    with pytest.raises(DomainError) as exc:
        filings.apply_for_filing(
            actor=cast.users["distance"],
            city=cast.changsha,
            contact_name="龚晓燕",
            contact_phone="0731-84822628",
            pc_platform="https://cme.example.cn",
            mobile_platform="App",
            introduction="简介",
            qualification=pdf(),
            commitment=False,
        )
    assert exc.value.code == "FILING_COMMITMENT"
    with pytest.raises(DomainError) as exc:
        filings.apply_for_filing(
            actor=cast.users["distance"],
            city=cast.changsha,
            contact_name="龚晓燕",
            contact_phone="0731-84822628",
            pc_platform="https://cme.example.cn",
            mobile_platform="App",
            introduction="简介",
            qualification=SimpleUploadedFile("资质.txt", b"hello", "text/plain"),
            commitment=True,
        )
    assert exc.value.code == "FILE_TYPE" and exc.value.field == "qualification"


def test_a_second_application_to_the_same_city_is_refused(cast, provider):
    apply(cast)
    with pytest.raises(DomainError) as exc:
        apply(cast)
    assert exc.value.code == "FILING_EXISTS"
    apply(cast, cast.zhuzhou)  # another city is another filing


def test_only_a_city_files_providers(cast, provider):
    with pytest.raises(DomainError) as exc:
        filings.apply_for_filing(
            actor=cast.users["distance"],
            city=cast.furong,
            contact_name="龚晓燕",
            contact_phone="1",
            pc_platform="x",
            mobile_platform="y",
            introduction="z",
            qualification=pdf(),
            commitment=True,
        )
    assert exc.value.code == "FILING_CITY"


def test_refusal_needs_a_reason_and_another_city_cannot_decide(cast, provider):
    filing = apply(cast)
    with pytest.raises(PermissionDenied):
        filings.decide_filing(filing, actor=cast.users["zhuzhou"], accept=True)
    with pytest.raises(DomainError) as exc:
        filings.decide_filing(filing, actor=cast.users["changsha"], accept=False)
    assert exc.value.code == "REASON_REQUIRED"
    refused = filings.decide_filing(
        filing, actor=cast.users["changsha"], accept=False, reason="资质证明不全"
    )
    assert refused.state == ProviderFiling.State.REFUSED
    assert refused.decision_reason == "资质证明不全"
    with pytest.raises(Conflict):
        filings.decide_filing(filing, actor=cast.users["changsha"], accept=True)
    apply(cast)  # a refused provider may apply again


def test_a_course_earns_its_hours_over_the_rate(cast, course, city_course):
    assert course.category == "I" and filings.credits_for(course) == Decimal("2.0")
    assert filings.credits_for(course, Decimal("4")) == Decimal("1.3")  # 4 ÷ 3, one decimal
    assert city_course.category == "II" and filings.credits_for(city_course) == Decimal("2.0")


def test_an_i_class_course_must_be_a_national_distance_project(cast, filing):
    with pytest.raises(DomainError) as exc:
        filings.file_course(
            filing,
            actor=cast.users["distance"],
            year=2024,
            name="无编号课程",
            summary="内容",
            hours="3",
            category="I",
        )
    assert exc.value.code == "COURSE_PROJECT_NUMBER"


def test_an_unfiled_provider_cannot_file_courses(cast, provider):
    filing = apply(cast)
    with pytest.raises(PermissionDenied):
        filings.file_course(
            filing,
            actor=cast.users["distance"],
            year=2024,
            name="课程",
            summary="内容",
            hours="3",
            category="II",
        )


def test_the_city_refuses_a_course_with_a_reason(cast, filing):
    course = filings.file_course(
        filing,
        actor=cast.users["distance"],
        year=2024,
        name="推销课程",
        summary="内容",
        hours="3",
        category="II",
    )
    refused = filings.decide_course(
        course, actor=cast.users["changsha"], accept=False, reason="内容与医学无关"
    )
    assert refused.state == Course.State.REFUSED
    add_course(cast, filing, "推销课程", "3", "II")  # the name is free again


def test_a_duplicate_course_name_in_a_year_is_refused(cast, filing, course):
    with pytest.raises(DomainError) as exc:
        add_course(cast, filing, course.name, "3")
    assert exc.value.code == "COURSE_EXISTS"
