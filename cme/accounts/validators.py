import re

from django.core.exceptions import ValidationError


class NotFromIdNumberValidator:
    """A password must not contain a run of 6+ digits from the user's ID number."""

    def validate(self, password: str, user=None) -> None:
        person = getattr(user, "person", None) if user is not None and user.pk else None
        number = getattr(person, "id_number", "") if person else ""
        if number and _shares_id_digits(password, number):
            raise ValidationError("密码不能取自身份证号码。", code="password_from_id_number")
        if re.fullmatch(r"\d{17}[\dXx]|\d{6}", password or ""):
            raise ValidationError(
                "密码不能是身份证号码或其中的6位数字。", code="password_from_id_number"
            )

    def get_help_text(self) -> str:
        return "密码不能取自身份证号码。"


def _shares_id_digits(password: str, number: str) -> bool:
    upper = password.upper()
    return any(number[i : i + 6] in upper for i in range(len(number) - 5))
