"""E-mail each user their reminders (run daily from cron or a timer; needs EMAIL_HOST)."""

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand

from cme.accounts.models import User
from cme.holding.reminders import reminders_for


class Command(BaseCommand):
    help = "E-mail pre-report, execution-report and review reminders to users with an address."

    def handle(self, *args, **options):
        if not settings.EMAIL_HOST:
            self.stdout.write("EMAIL_HOST is not set: nothing sent.")
            return
        sent = 0
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        for user in User.objects.filter(is_active=True).exclude(email=""):
            items = reminders_for(user)
            if not items:
                continue
            lines = [
                "{m}{t}{d} {u}".format(
                    m="【已逾期】" if r.overdue else "",
                    t=r.text,
                    d="（截止{d}）".format(d=r.due_on) if r.due_on else "",
                    u=base + r.url,
                )
                for r in items
            ]
            send_mail("继续医学教育管理平台：待办提醒", "\n".join(lines), None, [user.email])
            sent += 1
        self.stdout.write("Reminders sent to {n} users.".format(n=sent))
