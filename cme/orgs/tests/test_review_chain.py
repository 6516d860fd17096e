"""SPEC §3: the review chain of a unit follows its licensing authority and kind."""

from cme.orgs.chains import deciding_authority, review_chain


def names(chain):
    return [o.name for o in chain]


def test_county_licensed_hospital_goes_county_city_province(cast):
    assert names(review_chain(cast.county_hospital)) == [
        "长沙市芙蓉区卫生健康局",
        "长沙市卫生健康委员会",
        "湖南省卫生健康委员会",
    ]


def test_city_licensed_hospital_goes_city_then_province(cast):
    assert names(review_chain(cast.city_hospital)) == [
        "长沙市卫生健康委员会",
        "湖南省卫生健康委员会",
    ]


def test_unit_directly_under_province_goes_straight_to_province(cast):
    assert names(review_chain(cast.provincial_hospital)) == ["湖南省卫生健康委员会"]


def test_society_goes_straight_to_province(cast):
    assert names(review_chain(cast.society)) == ["湖南省卫生健康委员会"]


def test_society_branch_goes_to_its_society_first(cast):
    assert names(review_chain(cast.branch)) == ["湖南省医学会", "湖南省卫生健康委员会"]


def test_national_declarations_add_the_national_office(cast):
    assert (
        names(review_chain(cast.city_hospital, national=True))[-1] == "全国继续医学教育委员会办公室"
    )


def test_account_matters_go_to_the_nearest_authority(cast):
    assert deciding_authority(cast.branch) == cast.province
    assert deciding_authority(cast.county_hospital) == cast.furong
