"""Peak load on loopback (issue 8 §3; docs/load.md): seed a PostgreSQL database, serve it
with gunicorn under production settings, run each locust scenario headless for a fixed time
at each number of users, and print one table.

    make load                                   # .venv-load with locust, then this
    .venv/bin/python bench/load/run.py --locust .venv-load/bin/locust [--fresh]
        [--duration 60] [--users 50,100,200] [--scenarios deadline,yearend]
        [--workers 2 --threads 8]

The database is cme_load on 127.0.0.1 (DATABASE_URL to change it; the name must start with
cme_load, it may be dropped). It is reused when already seeded; --fresh drops and rebuilds
it. Before every run the state the scenarios change is put back (seed.reset), so runs start
alike. CSV files and the table go to var/load/.
"""

import argparse
import csv
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OUT = ROOT / "var" / "load"
SCENARIOS = {
    "deadline": ["DeadlineOfficer", "Reviewer"],
    "yearend": ["Learner", "AuditOfficer", "Verifier"],
}
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cme_load"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    p.add_argument("--duration", type=int, default=60, help="seconds per run (default 60)")
    p.add_argument("--users", default="50,100,200", help="concurrent users, comma-separated")
    p.add_argument("--scenarios", default="deadline,yearend")
    p.add_argument(
        "--pace",
        choices=["human", "harsh"],
        default="human",
        help="think time: human (3-10 s between steps, 5-15 s between tasks; default) "
        "or harsh (0.5-2 s and 1-3 s: clicking as fast as pages come)",
    )
    p.add_argument("--scale", type=float, default=0.02, help="generate_province --scale")
    p.add_argument("--year", type=int, default=None, help="the data's year (default: this one)")
    p.add_argument("--locust", default=str(ROOT / ".venv-load" / "bin" / "locust"))
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=8, help="threads per worker (gthread)")
    p.add_argument("--port", type=int, default=8100)
    p.add_argument("--seed-only", action="store_true", help="seed, write the manifest, stop")
    return p.parse_args()


def environment(database_url: str) -> dict:
    """Production settings, as the server will have them (DEBUG unset, secure cookies)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING"}}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_database(database_url: str, *, fresh: bool) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    if not name.startswith("cme_load"):
        sys.exit("the load database's name must start with cme_load, not " + name)
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute('DROP DATABASE "{n}" WITH (FORCE)'.format(n=name))
            exists = None
        if not exists:
            conn.execute('CREATE DATABASE "{n}"'.format(n=name))


def seed_database(args, year: int) -> dict:
    """Migrate, generate and seed when not yet done; fresh sessions and manifest every time."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")
    django.setup()
    import seed
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    if not seed.is_seeded():
        started = time.perf_counter()
        call_command("generate_province", scale=args.scale, year=year)
        seed.seed(year=year)
        with connection.cursor() as cursor:  # as autovacuum would, before anyone measures
            cursor.execute("ANALYZE")
        print("seeded in {s:.0f} s".format(s=time.perf_counter() - started))
    call_command("collectstatic", verbosity=0, interactive=False)  # whitenoise's manifest
    return seed.write_sessions(year=year)


def postgres_started(database_url: str) -> str:
    """When PostgreSQL last started: the machine is shared, and a restart mid-run (someone
    else's) shows as errors that are not the application's."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        return str(conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0])


def start_server(args, env: dict, log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "cme.wsgi", "-b", "127.0.0.1:{p}".format(p=args.port),
        "-w", str(args.workers), "--threads", str(args.threads),
        "-k", "gthread" if args.threads > 1 else "sync", "--timeout", "60",
        "--keep-alive", "10", "--no-control-socket",
    ]  # fmt: skip
    log = open(log_path, "w")  # noqa: SIM115  (closed with the process)
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:{p}/verify/".format(p=args.port)
    for _ in range(100):
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer; see " + str(log_path))


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def run_locust(args, scenario: str, users: int, env: dict) -> Path:
    prefix = OUT / "{s}-{p}-{u}".format(s=scenario, p=args.pace, u=users)
    command = [
        args.locust, "-f", str(HERE / "locustfile.py"), "--headless",
        "-H", "http://127.0.0.1:{p}".format(p=args.port),
        "-u", str(users), "-r", str(max(10, users // 5)), "-t", "{d}s".format(d=args.duration),
        "--stop-timeout", "10", "--csv", str(prefix), "--only-summary",
        "--loglevel", "WARNING", *SCENARIOS[scenario],
    ]  # fmt: skip
    locust_env = {
        "LOAD_MANIFEST": str(OUT / "manifest.json"),
        "LOAD_PACE": args.pace,
        "PATH": env["PATH"],
        "HOME": env.get("HOME", str(OUT)),
    }
    subprocess.run(command, cwd=ROOT, env=locust_env, check=False)
    return prefix


def read_stats(prefix: Path) -> tuple[dict, list[dict]]:
    with open(str(prefix) + "_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return total, [r for r in rows if r["Name"] != "Aggregated"]


def reset(year: int) -> None:
    import seed

    seed.reset(year=year)


def main() -> None:
    args = parse()
    OUT.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    env = environment(database_url)
    os.environ.update(env)
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    year = args.year or time.localtime().tm_year
    prepare_database(database_url, fresh=args.fresh)
    manifest = seed_database(args, year)
    import json

    (OUT / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    print(
        "{o} officers, {r} reviewers, {n} learners, {c} certificate numbers".format(
            o=len(manifest["officers"]),
            r=len(manifest["reviewers"]),
            n=len(manifest["learners"]),
            c=len(manifest["certificates"]),
        )
    )
    if args.seed_only:
        return
    if not Path(args.locust).exists():
        sys.exit("no locust at {l}: make load creates .venv-load".format(l=args.locust))

    from django.db import connections

    table, slowest, prefixes = [], [], []
    for scenario in args.scenarios.split(","):
        for users in [int(u) for u in args.users.split(",")]:
            reset(year)
            connections.close_all()
            log_path = OUT / "{s}-{u}-gunicorn.log".format(s=scenario, u=users)
            before = postgres_started(database_url)
            server = start_server(args, env, log_path)
            try:
                print("== {s}, {u} users, {d} s".format(s=scenario, u=users, d=args.duration))
                prefix = run_locust(args, scenario, users, env)
                prefixes.append(prefix)
                total, endpoints = read_stats(prefix)
            finally:
                stop_server(server)
            log = log_path.read_text(encoding="utf-8", errors="replace")
            total["server errors"] = log.count("Internal Server Error")
            total["note"] = (
                "PostgreSQL restarted during the run"
                if postgres_started(database_url) != before
                else ""
            )
            table.append((scenario, users, total))
            endpoints.sort(key=lambda r: -float(r["95%"] or 0))
            slowest += [(scenario, users, r) for r in endpoints[:3]]

    lines = [
        "gunicorn -w {w} --threads {t}, {d} s per run, {p} pace".format(
            w=args.workers, t=args.threads, d=args.duration, p=args.pace
        ),
        "",
        "| scenario | users | requests | req/s | p50 ms | p95 ms | p99 ms | failures | 500s | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for scenario, users, t in table:
        lines.append(
            "| {s} | {u} | {n} | {rps:.1f} | {p50} | {p95} | {p99} | {f} | {e} | {note} |".format(
                s=scenario, u=users, n=t["Request Count"], rps=float(t["Requests/s"]),
                p50=t["50%"], p95=t["95%"], p99=t["99%"], f=t["Failure Count"],
                e=t["server errors"], note=t["note"],
            )
        )  # fmt: skip
    lines += [
        "",
        "Slowest endpoints (p95) of each run:",
        "",
        "| scenario | users | endpoint | requests | p50 ms | p95 ms | p99 ms | failures |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for scenario, users, r in slowest:
        lines.append(
            "| {s} | {u} | {m} {n} | {c} | {p50} | {p95} | {p99} | {f} |".format(
                s=scenario, u=users, m=r["Type"], n=r["Name"], c=r["Request Count"],
                p50=r["50%"], p95=r["95%"], p99=r["99%"], f=r["Failure Count"],
            )
        )  # fmt: skip
    text = "\n".join(lines)
    (OUT / "results.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    for path in [Path(str(p) + "_failures.csv") for p in prefixes]:
        with open(path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for row in rows[:5]:
            print("{p}: {o}× {m} {n}: {e}".format(
                p=path.name, o=row["Occurrences"], m=row["Method"], n=row["Name"], e=row["Error"][:200]
            ))  # fmt: skip


if __name__ == "__main__":
    main()
