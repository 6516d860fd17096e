"""Fault: PostgreSQL restarted under load. Requests fail cleanly (a 503 page that says to
retry, or `{code, message}` under /api/v1/) and the service recovers by itself.

WARNING: this restarts the machine's PostgreSQL cluster (`pg_ctlcluster 15 main restart`):
every connection to every database on it is cut for a few seconds, other people's work
included. Run it on a machine of your own, or warn the others first; `--no-restart`
runs everything else (a dry run).

What it does:
1. (re)creates the database cme_faults_restart, migrates it, loads the demo
   (`manage.py load_demo`) and collects static files;
2. serves it with gunicorn on 127.0.0.1 with production settings (DEBUG unset,
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1; the client sends X-Forwarded-Proto: https as the
   TLS proxy would);
3. fires requests from a few threads for --before seconds: the public certificate
   verify page, the login page, a logged-in page (cs_city's home) and an API call;
4. restarts PostgreSQL, keeps firing for --after seconds, and prints a timeline: status
   counts per second and per phase, when the first clean 503 came and when every kind
   of request succeeded again, and whether any answer was a 500 or a traceback instead
   of the clean 503.

    .venv/bin/python bench/faults/pg_restart.py [--no-restart] [--keep]
"""

import argparse
import collections
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB = "cme_faults_restart"
PG_PORT = 5432
PRIVATE_PORT = 5499
PRIVATE_DIR = Path(tempfile.gettempdir()) / "cme_faults_pg"  # a throw-away cluster
PORT = 8765
PASSWORD = "Demo@2026"  # noqa: S105 (the demo logins' published password)
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1:{p}".format(p=PORT)}


def env(**extra: str) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING"}}
    values.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:{p}/{d}".format(p=PG_PORT, d=DB),
        SECRET_KEY="pg-restart-bench-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="cme.settings",
        CME_SIGNING_DIR=str(ROOT / "var" / "faults" / "signing"),
        MEDIA_ROOT=str(ROOT / "var" / "faults" / "media"),
        LOG_LEVEL="WARNING",
    )
    values.update(extra)
    return values


def manage(*args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit("manage.py {a} failed:\n{e}".format(a=" ".join(args), e=done.stderr[-3000:]))
    return done.stdout


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", db, "-Atc", sql],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def private_cluster(action: str) -> None:
    """A cluster in /tmp run by the postgres user (initdb refuses root)."""
    bin_dir = Path("/usr/lib/postgresql/15/bin")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    if action == "start" and not (PRIVATE_DIR / "PG_VERSION").exists():
        PRIVATE_DIR.mkdir(exist_ok=True)
        shutil.chown(PRIVATE_DIR, "postgres", "postgres")
        subprocess.run(  # noqa: S603
            [*as_postgres, bin_dir / "initdb", "-D", PRIVATE_DIR, "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )
    if (
        action == "start"
        and subprocess.run(  # noqa: S603
            [*as_postgres, bin_dir / "pg_ctl", "-D", PRIVATE_DIR, "status"], capture_output=True
        ).returncode
        == 0
    ):
        return
    subprocess.run(  # noqa: S603
        [
            *as_postgres,
            bin_dir / "pg_ctl",
            "-D",
            PRIVATE_DIR,
            "-w",
            "-m",
            "fast",
            "-l",
            PRIVATE_DIR / "server.log",
            "-o",
            "-p {p} -k /tmp".format(p=PRIVATE_PORT),
            action,
        ],
        check=True,
        capture_output=True,
    )


def prepare() -> str:
    psql("DROP DATABASE IF EXISTS {d} WITH (FORCE)".format(d=DB))
    psql("CREATE DATABASE {d}".format(d=DB))
    t = time.monotonic()
    manage("migrate", "--noinput")
    manage("load_demo")
    manage("ensure_signing_key")
    manage("collectstatic", "--noinput")
    print("database {d} ready in {s:.0f} s".format(d=DB, s=time.monotonic() - t))
    return psql("SELECT number FROM certificates_certificate ORDER BY id LIMIT 1", DB)


class Client:
    """One HTTP connection per request (as browsers behind a proxy), cookies by hand:
    the session cookie is Secure, which cookie jars keep from plain http."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, **headers):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=15)
        headers = {**HEADERS, **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(
                "{k}={v}".format(k=k, v=v) for k, v in self.cookies.items()
            )
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, data.decode("utf-8", "replace"), dict(response.getheaders())
        finally:
            conn.close()

    def login(self, username: str) -> None:
        _, page, _ = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = "csrfmiddlewaretoken={t}&username={u}&password={p}".format(
            t=token, u=username, p=PASSWORD.replace("@", "%40")
        )
        origin = "https://127.0.0.1:{p}".format(p=PORT)
        status, _, _headers = self.request(
            "POST",
            "/login/",
            form,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": origin + "/login/",
                "Origin": origin,
            },
        )
        if status != 302:
            sys.exit("login as {u} failed: {s}".format(u=username, s=status))


def classify(kind: str, status: int, body: str, headers: dict) -> str:
    if status == 503:
        if kind == "api":
            try:
                clean = json.loads(body).get("code") == "SERVICE_UNAVAILABLE"
            except ValueError:
                clean = False
        else:
            clean = "服务暂时不可用，请稍后重试" in body
        return "503 clean" if clean else "503 other"
    if status >= 500 or "Traceback" in body:
        return "{s} BAD".format(s=status)
    return str(status)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-restart", action="store_true", help="dry run: no restart")
    parser.add_argument(
        "--terminate",
        action="store_true",
        help="instead of restarting, cut this database's connections (pg_terminate_backend)",
    )
    parser.add_argument("--reuse", action="store_true", help="reuse the prepared database")
    parser.add_argument(
        "--private-cluster",
        action="store_true",
        help="run and restart a throw-away cluster of our own on port {p} instead of the "
        "machine's (disturbs nobody)".format(p=PRIVATE_PORT),
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--before", type=float, default=8)
    parser.add_argument("--after", type=float, default=25)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    global PG_PORT
    if args.private_cluster:
        PG_PORT = PRIVATE_PORT
        private_cluster("start")

    if args.reuse:
        number = psql("SELECT number FROM certificates_certificate ORDER BY id LIMIT 1", DB)
    else:
        number = prepare()
    log = ROOT / "var" / "faults" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(  # noqa: S603
        [gunicorn, "cme.wsgi", "-b", "127.0.0.1:{p}".format(p=PORT), "-w", "3", "-t", "30"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        for _ in range(100):
            try:
                Client().request("GET", "/login/")
                break
            except OSError:
                time.sleep(0.2)
        run(args, number)
    finally:
        server.terminate()
        server.wait(timeout=20)
        stderr = log.read_text("utf-8", "replace")
        tracebacks = stderr.count("Traceback")
        print(
            "gunicorn's log ({p}): {n} tracebacks, {w} 'database unavailable' warnings".format(
                p=log.relative_to(ROOT), n=tracebacks, w=stderr.count("database unavailable")
            )
        )
        ready = subprocess.run(  # noqa: S603
            ["pg_isready", "-h", "127.0.0.1", "-p", str(PG_PORT)],  # noqa: S607
            capture_output=True,
            text=True,
        )
        print("pg_isready:", ready.stdout.strip())
        if not args.keep and not args.reuse:
            psql("DROP DATABASE IF EXISTS {d} WITH (FORCE)".format(d=DB))


def run(args, number: str) -> None:
    kinds = {
        "verify": ("GET", "/verify/{n}/".format(n=number)),
        "login": ("GET", "/login/"),
        "home": ("GET", "/"),
        "api": ("GET", "/api/v1/certificates/{n}/verify".format(n=number)),
    }
    logged_in = []
    for _ in range(args.threads):
        client = Client()
        client.login("cs_city")
        logged_in.append(client)
    results: list[tuple[float, str, str, float]] = []
    lock = threading.Lock()
    stop = threading.Event()
    start = time.monotonic()

    def fire(client: Client, offset: int) -> None:
        names = list(kinds)
        i = offset
        while not stop.is_set():
            kind = names[i % len(names)]
            i += 1
            method, path = kinds[kind]
            t0 = time.monotonic()
            try:
                status, body, headers = client.request(method, path)
                outcome = classify(kind, status, body, headers)
                if kind == "home" and status == 302:
                    outcome = "302 logged out"
            except OSError as exc:
                outcome = "no answer ({e})".format(e=exc.__class__.__name__)
            with lock:
                results.append((t0 - start, kind, outcome, time.monotonic() - t0))
            time.sleep(0.02)

    threads = [threading.Thread(target=fire, args=(c, i)) for i, c in enumerate(logged_in)]
    for t in threads:
        t.start()
    time.sleep(args.before)
    restart_at = time.monotonic() - start
    if args.no_restart:
        print("dry run: PostgreSQL not restarted")
    elif args.terminate:
        cut = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{d}'"
        psql(cut.format(d=DB))
    elif args.private_cluster:
        private_cluster("restart")
    else:
        subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True)  # noqa: S607
    restarted_at = time.monotonic() - start
    time.sleep(args.after)
    stop.set()
    for t in threads:
        t.join()
    report(results, restart_at, restarted_at)


def report(results, restart_at: float, restarted_at: float) -> None:
    print(
        "restart issued at {a:.1f} s, pg_ctlcluster returned at {b:.1f} s ({d:.1f} s)".format(
            a=restart_at, b=restarted_at, d=restarted_at - restart_at
        )
    )
    print("\ntimeline (second: outcome × count)")
    per_second: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for t, _kind, outcome, _ in results:
        per_second[int(t)][outcome] += 1
    for second in sorted(per_second):
        mark = " <- restart" if int(restart_at) == second else ""
        row = ", ".join("{o} ×{n}".format(o=o, n=n) for o, n in sorted(per_second[second].items()))
        print("  {s:3d}s  {r}{m}".format(s=second, r=row, m=mark))

    failures = [r for r in results if not r[2].startswith(("200", "302"))]
    last_failure = max((r[0] for r in failures), default=None)
    phases = {
        "before": [r for r in results if r[0] < restart_at],
        "during": [r for r in results if restart_at <= r[0] <= (last_failure or restarted_at)],
        "after": [r for r in results if r[0] > max(last_failure or 0, restarted_at)],
    }
    print("\nphase    requests  outcomes")
    for name, rows in phases.items():
        counts = collections.Counter(r[2] for r in rows)
        print("  {n:7s} {c:8d}  {o}".format(n=name, c=len(rows), o=dict(sorted(counts.items()))))
    if last_failure is not None:
        first_failure = min(r[0] for r in failures)
        print(
            "\nfirst failure at {f:.1f} s, last at {l:.1f} s: the service was unavailable for "
            "{u:.1f} s and recovered {r:.1f} s after pg_ctlcluster returned".format(
                f=first_failure,
                l=last_failure,
                u=last_failure - first_failure,
                r=max(0.0, last_failure - restarted_at),
            )
        )
    bad = [r for r in results if "BAD" in r[2] or r[2] == "503 other"]
    print(
        "answers that were a 500 or a traceback instead of the clean 503: {n}{d}".format(
            n=len(bad), d=" " + str(collections.Counter((r[1], r[2]) for r in bad)) if bad else ""
        )
    )
    slowest = max((r[3] for r in results), default=0)
    print("slowest answer: {s:.2f} s; requests in all: {n}".format(s=slowest, n=len(results)))


if __name__ == "__main__":
    main()
