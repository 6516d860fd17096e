"""One person's fields, checked the same way for the form, the API and every import."""

import re
from dataclasses import dataclass

from cme.core import idnumbers
from cme.core.errors import DomainError
from cme.core.excel import LOST_DIGITS, is_lost_digits
from cme.people.models import IdType, Person
from cme.people.titles import level_of

ID_TYPE_BY_LABEL = {label: value for value, label in IdType.choices} | {
    "身份证": IdType.RESIDENT,
    "二代身份证": IdType.RESIDENT,
    "居民身份证号": IdType.RESIDENT,
    "港澳通行证": IdType.HK_MACAU,
    "台胞证": IdType.TAIWAN,
    "外国人永久居留证": IdType.FOREIGN_PR,
}
ID_TYPES = frozenset(IdType.values)
SEX_BY_LABEL = {"男": "M", "女": "F", "M": "M", "F": "F"}
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
_OTHER_ID = re.compile(r"^[0-9A-Z()-]{5,32}$")
# The example row of every import template (GB 11643's sample number): a file that still
# holds it would add a 张三 nobody is.
TEMPLATE_EXAMPLE_ID = "11010519491231002X"
_MOBILE_WRITTEN = re.compile(r"^(?:\+?86-?)?(1\d{2}-?\d{4}-?\d{4})$")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


@dataclass
class PersonData:
    name: str
    id_type: str
    id_number: str
    sex: str
    birth_date: object
    title: str
    title_series: str
    title_level: int
    department: str
    phone: str
    provided: frozenset[
        str
    ]  # fields the input gave; a blank spreadsheet cell keeps the stored value

    COMPARED = ("name", "sex", "title", "title_level", "department", "phone")
    _SOURCE = {"title_level": "title", "title_series": "title"}

    def _given(self, field: str) -> bool:
        return self._SOURCE.get(field, field) in self.provided

    def differs_from(self, person: Person) -> dict:
        return {
            f: [getattr(person, f), getattr(self, f)]
            for f in self.COMPARED
            if self._given(f) and getattr(person, f) != getattr(self, f)
        }

    def apply_to(self, person: Person) -> None:
        for f in (*self.COMPARED, "title_series"):
            if self._given(f):
                setattr(person, f, getattr(self, f))
        if self.birth_date is not None:
            person.birth_date = self.birth_date


def clean_person(
    values: dict[str, str], *, blank_clears: bool = False
) -> tuple[PersonData | None, list[DomainError]]:
    """Return (data, []) or (None, errors); every error names its field.

    `blank_clears`: a form's empty field clears the stored value; in an import a blank
    cell means "not given" and keeps it (write 无 to clear a title).
    """
    errors: list[DomainError] = []
    name = _CJK_GAP.sub("", values.get("name", "").strip())  # 张　三 padded to line up
    if not name:
        errors.append(DomainError("NAME_REQUIRED", "请填写姓名。", field="name"))
    elif len(name) > 64:
        errors.append(DomainError("NAME_TOO_LONG", "姓名不能超过64个字。", field="name"))

    id_type_label = values.get("id_type", "").strip()
    id_type = (
        ID_TYPE_BY_LABEL.get(id_type_label, id_type_label) if id_type_label else IdType.RESIDENT
    )
    if id_type not in ID_TYPES:
        errors.append(
            DomainError(
                "ID_TYPE_UNKNOWN",
                "证件类型“{t}”无法识别。".format(t=id_type_label),
                field="id_type",
            )
        )
        id_type = None

    raw_id = values.get("id_number", "")
    number, sex, birth = "", "", None
    if is_lost_digits(idnumbers.normalise(raw_id)):
        errors.append(DomainError("ID_LOST_DIGITS", "证件号码" + LOST_DIGITS, field="id_number"))
    elif id_type == IdType.RESIDENT:
        try:
            number = idnumbers.validate_resident_id(raw_id)
            sex, birth = idnumbers.sex(number), idnumbers.birth_date(number)
        except DomainError as exc:
            errors.append(exc)
        if number == TEMPLATE_EXAMPLE_ID:
            errors.append(
                DomainError(
                    "ID_TEMPLATE_EXAMPLE",
                    "证件号码{n}是模板示例行的号码，请删除示例行或填写真实的证件号码。".format(
                        n=number
                    ),
                    field="id_number",
                )
            )
    elif id_type:
        number = idnumbers.normalise(raw_id)
        if not _OTHER_ID.match(number):
            errors.append(
                DomainError("ID_FORMAT", "证件号码应为5-32位字母或数字。", field="id_number")
            )

    sex_label = values.get("sex", "").strip()
    if sex_label:
        given = SEX_BY_LABEL.get(sex_label)
        if given is None:
            errors.append(DomainError("SEX_INVALID", "性别应填“男”或“女”。", field="sex"))
        elif sex and given != sex:
            errors.append(
                DomainError(
                    "SEX_MISMATCH", "性别“{s}”与身份证号码不符。".format(s=sex_label), field="sex"
                )
            )
        elif not sex:
            sex = given

    title = values.get("title", "").strip()
    level = level_of(title)
    if level is None:
        errors.append(
            DomainError(
                "TITLE_UNKNOWN",
                "职称“{t}”无法识别，请填写职称全称（如 主治医师、主管护师、副主任药师），无职称填“无”。".format(
                    t=title
                ),
                field="title",
            )
        )
        level = ("", 0)

    phone = re.sub(r"[\s()（）]", "", values.get("phone", ""))
    mobile = _MOBILE_WRITTEN.match(phone)
    if mobile:  # 138-0000-0000, +86 13800000000
        phone = re.sub(r"\D", "", mobile[1])
    if is_lost_digits(phone):
        errors.append(DomainError("PHONE_LOST_DIGITS", "手机号码" + LOST_DIGITS, field="phone"))
    elif phone and not _PHONE.match(phone):
        errors.append(
            DomainError("PHONE_INVALID", "手机号码“{p}”格式不正确。".format(p=phone), field="phone")
        )

    department = values.get("department", "").strip()[:64]
    if errors:
        return None, errors
    return (
        PersonData(
            name=name,
            id_type=id_type,
            id_number=number,
            sex=sex,
            birth_date=birth,
            title="" if level[1] == 0 else title,
            title_series=level[0],
            title_level=int(level[1]),
            department=department,
            phone=phone,
            provided=frozenset(
                PersonData.COMPARED
                if blank_clears
                else [
                    f
                    for f in ("name", "sex", "title", "department", "phone")
                    if values.get(f, "").strip()
                ]
            )
            | ({"sex"} if sex else set()),
        ),
        [],
    )
