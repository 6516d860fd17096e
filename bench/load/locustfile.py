"""Peak-load scenarios for locust (docs/load.md); bench/load/run.py seeds and drives them.

deadline  DeadlineOfficer (unit CME officers: project list, a draft's basic tab, its autosave,
          the live check, the detail page, 提交) and Reviewer (city reviewers: their queue and
          a declaration's decision page).
yearend   Learner (我的学分, 我的证书), AuditOfficer (the unit's audit page, 提交审核 once,
          then paging the list) and Verifier (anonymous: the public verify page).

Pick a scenario by naming its classes: `locust -f locustfile.py DeadlineOfficer Reviewer`.
LOAD_MANIFEST names the JSON seed.write_sessions() wrote (session keys, drafts, numbers).

The server runs with production settings behind a pretend TLS proxy: every request says
`X-Forwarded-Proto: https`, POSTs carry Origin and Referer as a browser would, and cookies
are kept by hand because the server marks them Secure (a cookie jar would not send them back
over plain HTTP). Redirects are followed by hand, so each step is measured on its own and a
redirect nobody expected is a failure. Any status other than the one the step expects fails.
"""

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, task

with open(os.environ.get("LOAD_MANIFEST", "var/load/manifest.json"), encoding="utf-8") as f:
    MANIFEST = json.load(f)
YEAR = MANIFEST["year"]
# officers one per unit first (see seed.write_sessions), so audit officers spread over units
_officers = itertools.cycle(MANIFEST["officers"])
_reviewers = itertools.cycle(MANIFEST["reviewers"])
_learners = itertools.cycle(MANIFEST["learners"])
# LOAD_PACE: how long a user thinks, in seconds, between two steps of a task and between two
# tasks. "human" is a person reading a page and typing into a form; "harsh" is a person
# clicking through as fast as pages come, the stress test.
PACES = {"human": ((3.0, 10.0), (5.0, 15.0)), "harsh": ((0.5, 2.0), (1.0, 3.0))}
STEP, BETWEEN_TASKS = PACES[os.environ.get("LOAD_PACE", "human")]


class Forms(HTMLParser):
    """Every <form> of a page: its attributes and the fields a browser would send."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: tuple[str, list, bool] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def _fields(self) -> list:
        return self.forms[-1]["fields"] if self.forms else []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": a, "fields": []})
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._fields().append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], "multiple" in a)
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, options, multiple = self._select
            chosen = [v for v, selected in options if selected]
            if not chosen and options and not multiple:
                chosen = [options[0][0]]
            self._fields().extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._fields().append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def by_id(self, form_id: str) -> dict | None:
        return next((f for f in self.forms if f["attrs"].get("id") == form_id), None)

    def by_action(self, action: str) -> dict | None:
        return next((f for f in self.forms if f["attrs"].get("action") == action), None)


class Browser(HttpUser):
    """A logged-in (or anonymous) browser: cookies by hand, https as seen by Django."""

    abstract = True
    wait_time = between(*BETWEEN_TASKS)

    def on_start(self):
        self.client.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # see above
        self.cookies: dict[str, str] = {}
        self.origin = "https://" + urlsplit(self.host).netloc
        self.referer = self.origin + "/"

    def login_as(self, entry: dict) -> None:
        self.cookies[MANIFEST["cookie"]] = entry["session"]
        self.who = entry

    def think(self) -> None:
        gevent.sleep(random.uniform(*STEP))

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"X-Forwarded-Proto": "https", "Referer": self.referer}
        if self.cookies:
            headers["Cookie"] = "; ".join(
                "{k}={v}".format(k=k, v=v) for k, v in self.cookies.items()
            )
        return headers | (extra or {})

    def _keep_cookies(self, response) -> None:
        if response.raw is None:  # no answer at all (connection refused, reset, timeout)
            return
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, method: str, url: str, name: str, expect: int = 200, check=None, **kwargs):
        """One step; returns the response, or None when it failed: another status than
        `expect`, a redirect to the login page, or `check(response)` naming a problem."""
        headers = self._headers(kwargs.pop("headers", None))
        if method == "POST":
            headers["Origin"] = self.origin
            if "csrftoken" in self.cookies:
                headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
        with self.client.request(
            method,
            url,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            self._keep_cookies(response)
            if response.status_code != expect:
                where = response.headers.get("Location", "") or response.error or ""
                response.failure(
                    "{m} {u}: {s} (expected {e}) {w}".format(
                        m=method, u=url, s=response.status_code, e=expect, w=where
                    )
                )
                return None
            problem = check(response) if check else None
            if response.is_redirect and response.headers["Location"].startswith("/login"):
                problem = "redirected to the login page"
            if problem:
                response.failure("{m} {u}: {p}".format(m=method, u=url, p=problem))
                return None
            response.success()  # the expected status, 404 included
            if expect == 200 and method == "GET":
                self.referer = self.origin + url
            return response

    def get(self, url: str, name: str, expect: int = 200, **kwargs):
        return self.request("GET", url, name, expect, **kwargs)

    def post(self, url: str, name: str, data, expect: int = 200, **kwargs):
        return self.request("POST", url, name, expect, data=data, **kwargs)

    def follow(self, response, name: str, expect: int = 200, **kwargs):
        """GET where a 302 points."""
        location = urlsplit(response.headers["Location"])
        url = location.path + ("?" + location.query if location.query else "")
        return self.get(url, name, expect, **kwargs)


# --- deadline ----------------------------------------------------------------------------------


class DeadlineOfficer(Browser):
    """A unit CME officer finishing and submitting declarations before the deadline."""

    weight = 10

    def on_start(self):
        super().on_start()
        self.login_as(next(_officers))
        self.drafts = list(self.who["drafts"])

    @task
    def declare(self):
        if not self.get("/projects/", "/projects/ (list)"):
            return
        if not self.drafts:  # all submitted: look at what is under review
            self.think()
            self.get("/projects/?state=under_review", "/projects/?state= (list)")
            return
        pk = self.drafts[0]
        self.think()
        edit = "/projects/{pk}/edit/basic/".format(pk=pk)
        page = self.get(
            edit,
            "/projects/[id]/edit/basic/",
            check=lambda r: None if 'id="tab-form"' in r.text else "no edit form on the basic tab",
        )
        if not page:
            return
        form = Forms(page.text).by_id("tab-form")
        fields = [(k, v) for k, v in form["fields"] if k != "audience"]
        fields.append(
            (
                "audience",
                "二级及以上医院急诊科、心血管内科医师（{n}）".format(n=random.randint(1, 999)),
            )
        )
        self.think()
        htmx = {"HX-Request": "true", "HX-Current-URL": self.origin + edit}
        self.post(
            edit,
            "/projects/[id]/edit/basic/ (autosave)",
            fields,
            headers=htmx,
            check=_autosaved,
        )
        self.think()
        self.post(
            "/projects/{pk}/check/".format(pk=pk),
            "/projects/[id]/check/",
            fields,
            headers=htmx,
            check=lambda r: "the seeded draft has errors" if "finding-error" in r.text else None,
        )
        self.think()
        submit = "/projects/{pk}/submit/".format(pk=pk)
        page = self.get(
            "/projects/{pk}/".format(pk=pk),
            "/projects/[id]/ (detail)",
            check=lambda r: None if 'action="' + submit in r.text else "no 提交 button",
        )
        if not page:
            self.drafts.pop(0)
            return
        form = Forms(page.text).by_action(submit)
        self.think()
        moved = self.post(submit, "/projects/[id]/submit/", form["fields"], expect=302)
        if not moved:
            return
        self.drafts.pop(0)
        self.follow(moved, "/projects/[id]/ (after submit)", check=_submitted)


def _autosaved(response) -> str | None:
    head = response.text.split("</div>", 1)[0]
    return None if "text-success" in head else "autosave did not save: " + head[-200:]


def _submitted(response) -> str | None:
    if "已提交" in response.text:
        return None
    message = re.search(r"alert-danger[^>]*>([^<]*)", response.text)
    return "提交 refused: " + (message.group(1).strip() if message else "no message")


class Reviewer(Browser):
    """A city reviewer watching the queue fill up."""

    weight = 1

    def on_start(self):
        super().on_start()
        self.login_as(next(_reviewers))

    @task
    def queue(self):
        page = self.get("/projects/review/", "/projects/review/ (queue)")
        if not page:
            return
        steps = re.findall(r'href="/projects/review/(\d+)/"', page.text)
        if steps:
            self.think()
            self.get(
                "/projects/review/{s}/".format(s=random.choice(steps)), "/projects/review/[step]/"
            )


# --- year end ----------------------------------------------------------------------------------


class Learner(Browser):
    """A learner checking this year's credits and certificates."""

    weight = 6

    def on_start(self):
        super().on_start()
        self.login_as(next(_learners))

    @task(3)
    def credits(self):
        self.get("/credits/mine/?year={y}".format(y=YEAR), "/credits/mine/")

    @task(1)
    def certificates(self):
        self.get("/certificates/mine/", "/certificates/mine/")


class AuditOfficer(Browser):
    """A unit officer opening the year's audit, submitting it once, then reading the list."""

    weight = 2

    def on_start(self):
        super().on_start()
        self.login_as(next(_officers))
        self.url = "/audits/units/{u}/{y}/".format(u=self.who["unit"], y=YEAR)

    @task
    def audit(self):
        page = self.get(self.url, "/audits/units/[id]/[year]/")
        if not page:
            return
        submit = self.url + "submit/"
        form = Forms(page.text).by_action(submit)
        self.think()
        if form is not None:
            moved = self.post(submit, "/audits/units/[id]/[year]/submit/", form["fields"], 302)
            if moved:
                self.follow(moved, "/audits/units/[id]/[year]/")
        elif "page=2" in page.text:
            self.get(self.url + "?page=2", "/audits/units/[id]/[year]/?page=")


class Verifier(Browser):
    """Anyone checking a certificate's number on the public verify page."""

    weight = 4

    @task
    def verify(self):
        if not self.get("/verify/", "/verify/"):
            return
        self.think()
        if random.random() < 0.1:  # a mistyped number: 404 is the right answer
            self.get("/verify/ZZZZZZZZZZZZZZZZ/", "/verify/[number]/ (unknown)", expect=404)
            return
        number = random.choice(MANIFEST["certificates"])
        typed = "-".join(number[i : i + 4] for i in range(0, len(number), 4))
        moved = self.get("/verify/?number=" + typed, "/verify/?number=", expect=302)
        if moved:
            self.follow(moved, "/verify/[number]/")
