"""manage.py rules_doc: write docs/rules.md from the rule registry; --check only compares."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cme.projects.rules import rules_markdown


def doc_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "rules.md"


class Command(BaseCommand):
    help = "由规则注册表生成 docs/rules.md；加 --check 时只检查该文件是否过期。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="不写文件；docs/rules.md 与注册表不一致时以非零状态退出。",
        )

    def handle(self, *args, **options):
        path = doc_path()
        wanted = rules_markdown()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if options["check"]:
            if current != wanted:
                raise CommandError(
                    "{p} 已过期，请运行 manage.py rules_doc 重新生成。".format(p=path)
                )
            self.stdout.write("{p} 与规则注册表一致。".format(p=path))
            return
        if current == wanted:
            self.stdout.write("{p} 无需更新。".format(p=path))
            return
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS("已写入 {p}。".format(p=path)))
