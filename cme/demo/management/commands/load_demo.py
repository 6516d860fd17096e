"""manage.py load_demo: the Hunan demo province, with one login per role.

Idempotent: when the demo province is already there it only prints the logins.
"""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from cme.accounts.models import User
from cme.demo import hunan


class Command(BaseCommand):
    help = "载入湖南省演示数据（单位、学会分会、约300名人员、各角色登录账号）；已载入时只打印账号。"

    def handle(self, *args, **options):
        if hunan.demo_exists():
            self.stdout.write("演示数据已存在，未作任何改动。")
        else:
            taken = sorted(
                User.objects.filter(username__in=hunan.USERNAMES).values_list("username", flat=True)
            )
            if taken:
                raise CommandError(
                    "用户名已被占用：{names}。请在空数据库上载入演示数据。".format(
                        names="、".join(taken)
                    )
                )
            started = time.monotonic()
            counts = hunan.load_hunan()
            self.stdout.write(
                self.style.SUCCESS(
                    "已载入演示数据：{organisations}个单位（其中医疗机构{hospitals}家）、"
                    "{persons}名人员、{logins}个登录账号".format(**counts)
                    + f"，用时{time.monotonic() - started:.1f}秒。"
                )
            )
        self.stdout.write("")
        self.stdout.write(table(["用户名", "密码", "角色", "单位"], hunan.login_rows()))
        self.stdout.write("")
        self.stdout.write(f"登录地址：{hunan.URL}")


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: list[str], rows: list[tuple[str, ...]]) -> str:
    widths = [max(width(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        return "  ".join(
            str(c) + " " * (w - width(str(c))) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])
