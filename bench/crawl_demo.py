"""Walk the running demo as every demo login, the way a new user would click through it.

Not part of the test suite: it drives Debian's Chromium (Playwright) against a server that
is already running, e.g. the one `make demo` starts:

    DEBUG=1 .venv/bin/python bench/crawl_demo.py --base http://127.0.0.1:8000

For each login it logs in through the login page, then follows every same-origin link
(`a[href]`) breadth-first from the home page, GET only, up to --limit pages. The logout
link, links that look like actions (delete, revoke, approve …) and the language switcher
are skipped; downloads are fetched, not rendered, and only their status and content type
are kept. Every rendered page is checked for

- its HTTP status (403/404 are reported apart: a link the user is shown should work);
- console errors, uncaught exceptions and Content-Security-Policy violations;
- failed requests for static files (and any other failed sub-request of the page);
- a main content that is empty or shows a placeholder (TODO, coming soon, 待开发, lorem);
- template output that failed to render: a literal `{{` / `{%`, "None", "undefined", "NaN".

Then the language is switched to English with the site's own switcher and the same pages
are walked again: text of the page chrome (title, navigation, headings, buttons, labels,
table heads, tabs) that is still Chinese is reported, with the source files (templates and
Python) that contain it; Chinese text found in no source file is data (names) and is left out.

It prints a summary table per login and the findings with their URLs; --json keeps them all.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Demo@2026"  # noqa: S105  (every demo login's, as load_demo prints it)
# the logins `load_demo` prints, in its order
USERS = [
    "hn_province",
    "national",
    "cs_city",
    "zz_city",
    "cs_furong",
    "cs_hospital1",
    "ly_hospital",
    "hnma",
    "hnma_emergency",
    "leader",
    "expert",
    "distance",
    "learner",
    "admin",
]
ROOT = Path(__file__).resolve().parents[1]

# A path segment that names an action: following it with GET would at best show a
# confirmation, at worst do something; a crawler leaves them alone.
ACTION_WORDS = (
    "logout",
    "delete",
    "remove",
    "revoke",
    "approve",
    "reject",
    "return",
    "withdraw",
    "cancel",
    "confirm",
    "submit",
    "publish",
    "unpublish",
    "decide",
    "draw",
    "clear-out",
    "deregister",
    "hand-over",
    "reset",
    "issue",
    "sign",
    "toggle",
)
SKIP_PREFIXES = ("/i18n/", "/admin/logout/", "/logout/")
DOWNLOAD_SUFFIXES = (".xlsx", ".xls", ".csv", ".pdf", ".zip", ".png", ".jpg", ".docx", ".json")
DOWNLOAD_WORDS = ("download", "export", "template", "xlsx", "pdf", "zip", "qr", "file", "scan")
PLACEHOLDER = re.compile(r"\bTODO\b|coming soon|待开发|敬请期待|建设中|\blorem\b", re.IGNORECASE)
UNRENDERED = [
    (re.compile(r"\{\{|\{%|%\}|\}\}"), "template tag shown"),
    (re.compile(r"(?<![\w.])None(?![\w.])"), '"None" shown'),
    (re.compile(r"(?<![\w.])undefined(?![\w.])"), '"undefined" shown'),
    (re.compile(r"(?<![\w.])NaN(?![\w.])"), '"NaN" shown'),
    (re.compile(r"\[object Object\]"), '"[object Object]" shown'),
]
CJK = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff][\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef·/]*"
)
# how many URLs of one shape (same path, same query keys) are walked: page 2..40 of a list
# or every filter of the admin add nothing after the first few
PER_SHAPE = 3

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""

PAGE_FACTS = """
() => {
  const main = document.querySelector("main") || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll(".alert-dismissible, script, style, template").forEach((n) => n.remove());
  const values = [...main.querySelectorAll("input:not([type=hidden]), textarea")]
    .map((i) => i.value).filter(Boolean);
  const links = [...document.querySelectorAll("a[href]")].map((a) => ({
    href: a.href, download: a.hasAttribute("download"), text: a.innerText.trim().slice(0, 60),
  }));
  return {
    mainText: clone.innerText || "",
    mainElements: clone.querySelectorAll("table, form, ul, ol, dl, p, .card, img, canvas, svg").length,
    values: values,
    links: links,
    csp: window.__cspViolations || [],
  };
}
"""

# the page chrome: what a translation must cover even where the data stays Chinese
CHROME_TEXT = """
() => {
  const out = [["title", document.title]];
  const pick = (selector, kind) => document.querySelectorAll(selector).forEach((n) => {
    const t = (n.innerText || n.value || "").trim();
    if (t) out.push([kind, t]);
  });
  pick("#nav a.nav-link, .navbar-brand, .navbar .btn", "navigation");
  pick("main h1, main h2, main h3, main h4, main h5, main .card-header", "heading");
  pick("main .nav-tabs a, main .nav-pills a, main .breadcrumb li", "tabs");
  pick("main button, main input[type=submit], main a.btn", "button");
  pick("main label, main legend", "label");
  pick("main th", "table head");
  document.querySelectorAll("main input[placeholder]").forEach((n) => out.push(["placeholder", n.placeholder]));
  return out;
}
"""


@dataclass
class Finding:
    user: str
    kind: str
    url: str
    detail: str
    referrer: str = ""


@dataclass
class Walk:
    user: str
    pages: int = 0
    downloads: int = 0
    skipped: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    html_pages: list[str] = field(default_factory=list)
    downloaded: list[tuple[str, int, str]] = field(default_factory=list)
    login_ok: bool = True
    context: object = None
    page: object = None

    def add(self, kind: str, url: str, detail: str, referrer: str = "") -> None:
        self.findings.append(Finding(self.user, kind, url, detail[:300], referrer))


def shape(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    return parts.path, tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))


def normalise(url: str) -> str:
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def looks_like_action(path: str) -> bool:
    segments = [s for s in path.lower().split("/") if s]
    return any(
        s == w or s.startswith(w + "-") or s.endswith("-" + w)
        for s in segments
        for w in ACTION_WORDS
    )


def looks_like_download(url: str, download_attr: bool) -> bool:
    path = urlsplit(url).path.lower()
    if download_attr or path.endswith(DOWNLOAD_SUFFIXES) or path.startswith("/media/"):
        return True
    segments = [s for s in path.split("/") if s]
    return any(w in s for s in segments[-1:] for w in DOWNLOAD_WORDS) or "format=" in url


def log_in(page, base: str, username: str, password: str) -> bool:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button")
    return "/login/" not in urlsplit(page.url).path


def watch(page, sink: dict) -> None:
    """Console errors, page errors and failed sub-requests go into sink['events'] for the
    page being loaded."""

    def console(message):
        # a failed load is reported with its URL by response() (or is the page's own status)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            sink["events"].append(("console error", message.text))

    def failed(request):
        static = "/static/" in request.url
        # a fetch still running when the crawler moves on is aborted: not the page's fault
        if request.resource_type != "document" and (static or "ERR_ABORTED" not in request.failure):
            kind = "static failed" if static else "request failed"
            sink["events"].append((kind, f"{request.url} ({request.failure})"))

    def response(resp):
        if resp.request.resource_type != "document" and resp.status >= 400:
            kind = "static failed" if "/static/" in resp.url else "request failed"
            sink["events"].append((kind, f"{resp.url} → {resp.status}"))

    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", console)
    page.on("pageerror", lambda error: sink["events"].append(("page error", str(error))))
    page.on("requestfailed", failed)
    page.on("response", response)


def fetch_download(context, walk: Walk, url: str, referrer: str) -> bool:
    """Fetch a download without rendering it; True when it turns out to be a page."""
    response = context.request.get(url, max_redirects=5)
    kind = response.headers.get("content-type", "?")
    is_page = response.ok and kind.startswith("text/html")
    if not is_page:
        walk.downloads += 1
        walk.downloaded.append((url, response.status, kind))
        if response.status >= 500:
            walk.add("http 5xx", url, f"download {response.status} {kind}", referrer)
        elif response.status >= 400:
            walk.add(f"http {response.status}", url, f"download {kind}", referrer)
    response.dispose()
    return is_page


def check_page(walk: Walk, url: str, facts: dict, referrer: str) -> None:
    text = facts["mainText"].strip()
    if len(text) < 15 and facts["mainElements"] == 0:
        walk.add("empty page", url, f"main content: {text!r}", referrer)
    if m := PLACEHOLDER.search(text):
        walk.add("placeholder", url, context_of(text, m), referrer)
    for source in [text, *facts["values"]]:
        for pattern, label in UNRENDERED:
            if m := pattern.search(source):
                walk.add("unrendered", url, f"{label}: {context_of(source, m)}", referrer)
    for violation in facts["csp"]:
        walk.add("csp violation", url, violation, referrer)


def context_of(text: str, match: re.Match) -> str:
    start, end = max(0, match.start() - 40), match.end() + 40
    return " ".join(text[start:end].split())


def crawl(browser, base: str, username: str, password: str, limit: int) -> Walk:
    walk = Walk(username)
    started = time.monotonic()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sink: dict = {"events": []}
    watch(page, sink)
    origin = urlsplit(base).netloc
    if not log_in(page, base, username, password):
        walk.login_ok = False
        walk.add("login failed", page.url, "still on the login page after submitting")
        context.close()
        return walk

    home = normalise(base + "/")
    queue: deque[tuple[str, str]] = deque([(home, "")])
    seen = {home}
    shapes: Counter = Counter()
    while queue and walk.pages + walk.downloads < limit:
        url, referrer = queue.popleft()
        sink["events"] = []
        try:
            response = page.goto(url, wait_until="load")
        except Exception as error:  # a download starts, or the page never loads
            if "Download is starting" in str(error):
                fetch_download(context, walk, url, referrer)
            else:
                walk.add("load failed", url, str(error).splitlines()[0], referrer)
            continue
        walk.pages += 1
        status = response.status if response else 0
        kind = (response.headers.get("content-type", "") if response else "") or ""
        if status >= 500:
            walk.add("http 5xx", url, f"{status}", referrer)
        elif status >= 400:
            walk.add(f"http {status}", url, page.title(), referrer)
        if urlsplit(page.url).path.startswith("/login/") and not url.startswith(base + "/login/"):
            walk.add("sent to login", url, f"redirected to {page.url}", referrer)
        for event_kind, detail in sink["events"]:
            walk.add(event_kind, url, detail, referrer)
        if not kind.startswith("text/html"):
            continue
        if not page.locator("main").count():
            # not a page of the site's layout (the API docs): it draws itself once loaded
            page.wait_for_load_state("networkidle")
        facts = page.evaluate(PAGE_FACTS)
        if status < 400:
            walk.html_pages.append(url)
            check_page(walk, url, facts, referrer)
        for link in facts["links"]:
            href = link["href"]
            if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
                continue
            target = normalise(urljoin(page.url, href))
            parts = urlsplit(target)
            if parts.netloc != origin or target in seen:
                continue
            seen.add(target)
            if parts.path.startswith(SKIP_PREFIXES) or looks_like_action(parts.path):
                walk.skipped += 1
                continue
            if looks_like_download(target, link["download"]) and not fetch_download(
                context, walk, target, url
            ):
                continue
            shapes[shape(target)] += 1
            if shapes[shape(target)] > PER_SHAPE:
                walk.skipped += 1
                continue
            queue.append((target, url))

    if queue:
        walk.add("limit reached", base, f"{len(queue)} pages left in the queue", "")
    walk.seconds = time.monotonic() - started
    walk.context, walk.page = context, page  # the English pass reuses the logged-in context
    return walk


@lru_cache(maxsize=1)
def sources() -> list[tuple[str, str]]:
    """The templates and code a UI string can come from (not tests, not the demo data)."""
    files = []
    for path in sorted((ROOT / "cme").rglob("*")):
        if path.suffix not in {".html", ".py", ".js"} or "migrations" in path.parts:
            continue
        if {"tests", "locale", "demo"} & set(path.parts):
            continue
        files.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    # templates first: a heading is more often written there than in code
    return sorted(files, key=lambda f: not f[0].endswith(".html"))


@lru_cache(maxsize=1)
def demo_data() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cme" / "demo").glob("*.py"))


@lru_cache(maxsize=1)
def catalogue() -> tuple[set[str], set[str]]:
    """(msgids of the English catalogue, those with a translation)."""
    po = (ROOT / "cme" / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    marked, translated = set(), set()
    for entry in po.split("\n\n"):
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"$', entry.split("msgstr")[0], re.M)
        )
        msgstr = "".join(
            re.findall(r'^(?:msgstr(?:\[0\])?)? ?"(.*)"$', entry.split("msgstr", 1)[-1], re.M)
        )
        if msgid:
            marked.add(msgid)
            if msgstr and "#, fuzzy" not in entry:
                translated.add(msgid)
    return marked, translated


def catalogue_state(text: str) -> str:
    marked, translated = catalogue()
    if text in translated:
        return "translated in the catalogue, rendered untranslated"
    if text in marked:
        return "in the catalogue without a translation"
    if any(text in m for m in translated):
        return "part of a translated message"
    return "not in the catalogue"


@lru_cache(maxsize=4096)
def where(text: str) -> tuple[str, ...]:
    return tuple(name for name, body in sources() if text in body)


def rank(files: tuple[str, ...], url: str) -> tuple[str, ...]:
    """The files of the app the URL belongs to first."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    apps = {s.rstrip("s") for s in segments[:2]}
    return tuple(sorted(files, key=lambda f: not any(f"cme/{a}" in f for a in apps if a)))


def english_pass(walk: Walk, base: str) -> dict[str, dict]:
    """Switch the language with the site's switcher, then walk the same pages again."""
    page = walk.page
    page.goto(base + "/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    cookie = {c["name"]: c["value"] for c in walk.context.cookies()}.get("django_language")
    if cookie != "en":
        walk.add(
            "language switch", page.url, f"language cookie is {cookie!r} after choosing English"
        )
        return {}
    found: dict[str, dict] = {}
    for url in walk.html_pages:
        try:
            page.goto(url, wait_until="load")
        except Exception as error:
            walk.add("load failed", url, f"(English) {str(error).splitlines()[0]}")
            continue
        for kind, text in page.evaluate(CHROME_TEXT):
            if kind == "title":
                text = text.rsplit(" · ", 1)[-1]  # the page's own part is its heading
            for run in CJK.findall(text):
                run = run.strip("·/ ")
                if run in demo_data():
                    continue  # data: a unit's name, a notice's title
                files = where(run) or where_pieces(run)
                if not files:
                    continue  # data the demo builds from pieces, or users typed
                entry = found.setdefault(
                    run,
                    {
                        "kind": kind,
                        "files": rank(files, url),
                        "catalogue": catalogue_state(run),
                        "urls": [],
                    },
                )
                if len(entry["urls"]) < 3 and url not in entry["urls"]:
                    entry["urls"].append(url)
    walk.context.close()
    return found


def where_pieces(run: str) -> tuple[str, ...]:
    """A run joined from several template strings: look its punctuation-split pieces up."""
    pieces = [p for p in re.split(r"[\u3000-\u303f\uff00-\uffef·/]", run) if len(p) >= 2]
    files: list[str] = []
    for piece in pieces if len(pieces) > 1 else []:
        files.extend(f for f in where(piece) if f not in files)
    return tuple(files)


def walk_users(base: str, users: list[str], password: str, limit: int, english: bool):
    """One browser walks these logins in turn: (walks, untranslated)."""
    from playwright.sync_api import sync_playwright

    walks: list[Walk] = []
    untranslated: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for username in users:
            walk = crawl(browser, base, username, password, limit)
            if walk.login_ok and english:
                for text, entry in english_pass(walk, base).items():
                    merged = untranslated.setdefault(text, {**entry, "users": []})
                    merged["users"].append(username)
            walk.context = walk.page = None
            walks.append(walk)
            print(
                f"  {username}: {walk.pages} pages, {len(walk.findings)} findings, {walk.seconds:.0f}s",
                file=sys.stderr,
                flush=True,
            )
        browser.close()
    return walks, untranslated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base", required=True, help="the running server, e.g. http://127.0.0.1:8000"
    )
    parser.add_argument("--users", nargs="*", default=USERS)
    parser.add_argument("--password", default=PASSWORD)
    parser.add_argument("--limit", type=int, default=400, help="pages per login")
    parser.add_argument("--jobs", type=int, default=1, help="browsers walking at once")
    parser.add_argument("--no-english", action="store_true", help="skip the English pass")
    parser.add_argument("--json", type=Path, help="write every finding here")
    args = parser.parse_args()
    base = args.base.rstrip("/")

    jobs = max(1, min(args.jobs, len(args.users)))
    shares = [args.users[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(jobs) as pool:
        results = list(
            pool.map(
                walk_users,
                [base] * jobs,
                shares,
                [args.password] * jobs,
                [args.limit] * jobs,
                [not args.no_english] * jobs,
            )
        )
    order = {u: i for i, u in enumerate(args.users)}
    walks = sorted((w for ws, _ in results for w in ws), key=lambda w: order[w.user])
    untranslated: dict[str, dict] = {}
    for _, found in results:
        for text, entry in found.items():
            if text in untranslated:
                untranslated[text]["users"].extend(entry["users"])
            else:
                untranslated[text] = entry

    report(walks, untranslated)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "findings": [asdict(f) for w in walks for f in w.findings],
                    "downloads": {w.user: w.downloaded for w in walks},
                    "untranslated": untranslated,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 1 if any(f.kind == "http 5xx" for w in walks for f in w.findings) else 0


def report(walks: list[Walk], untranslated: dict[str, dict]) -> None:
    kinds = sorted({f.kind for w in walks for f in w.findings})
    header = ["user", "pages", "downloads", "skipped", *kinds]
    rows = []
    for w in walks:
        count = Counter(f.kind for f in w.findings)
        rows.append([w.user, w.pages, w.downloads, w.skipped, *(count.get(k, 0) for k in kinds)])
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    print("\n" + "  ".join(h.ljust(n) for h, n in zip(header, widths, strict=True)))
    print("  ".join("-" * n for n in widths))
    for row in rows:
        print("  ".join(str(x).ljust(n) for x, n in zip(row, widths, strict=True)))

    by_problem: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for w in walks:
        for f in w.findings:
            by_problem[(f.kind, f.detail)].append(f)
    print(f"\nFindings ({len(by_problem)} distinct):")
    for (kind, detail), found in sorted(by_problem.items()):
        users = sorted({f.user for f in found})
        urls = sorted({f.url for f in found})
        print(f"- [{kind}] {detail}")
        print(f"    users: {', '.join(users)}")
        for url in urls[:5]:
            referrer = next((f.referrer for f in found if f.url == url and f.referrer), "")
            print(f"    {url}" + (f"  (linked from {referrer})" if referrer else ""))
        if len(urls) > 5:
            print(f"    … and {len(urls) - 5} more")

    print(f"\nStill Chinese in English ({len(untranslated)} strings):")
    for text, entry in sorted(untranslated.items(), key=lambda kv: kv[1]["files"]):
        print(
            f"- {text!r} [{entry['kind']}; {entry['catalogue']}] in {', '.join(entry['files'][:3])}"
        )
        print(f"    e.g. {entry['urls'][0]}  ({', '.join(entry['users'][:4])})")


if __name__ == "__main__":
    sys.exit(main())
