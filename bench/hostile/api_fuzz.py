"""Issue 8 §5: schemathesis against /api/v1/openapi.json, zero server errors.

Builds a scratch demo (SQLite, `load_demo`), gives four demo users an API token (the
provincial office, a city reviewer, a unit admin, a learner: the API answers each from their
own scope), serves it with gunicorn on 127.0.0.1:8123 and runs schemathesis's
`not_a_server_error` check over every operation of the schema with each token, then
prints, per token, the operations tested and the server errors found (any 5xx).

Schemathesis lives in its own venv, like locust:

    python3 -m venv .venv-fuzz && .venv-fuzz/bin/pip install 'schemathesis>=4,<5'
    .venv/bin/python bench/hostile/api_fuzz.py [--st .venv-fuzz/bin/st] [--examples 25]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USERS = ["hn_province", "cs_city", "cs_hospital1", "learner"]  # load_demo's logins (README)
PORT = 8123


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--st", default=str(ROOT / ".venv-fuzz" / "bin" / "st"))
    p.add_argument("--examples", type=int, default=25, help="examples per operation")
    p.add_argument("--users", default=",".join(USERS), help="whose tokens, comma-separated")
    args = p.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="cme-fuzz-"))
    env = os.environ | {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{scratch / 'fuzz.sqlite3'}",
        "MEDIA_ROOT": str(scratch / "media"),
        "CME_SIGNING_DIR": str(scratch / "signing"),
    }
    python = sys.executable

    def manage(*command: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, **kw)

    manage("migrate", "-v0")
    manage("load_demo", stdout=subprocess.DEVNULL)
    manage("ensure_signing_key", stdout=subprocess.DEVNULL)
    tokens = manage(
        "shell",
        "-c",
        "from cme.accounts.actions import create_api_token\n"
        "from cme.accounts.models import User\n"
        f"for name in {args.users.split(',')!r}:\n"
        "    token = create_api_token(actor=User.objects.get(username=name), name='fuzz')[1]\n"
        "    print('TOKEN', name, token)",
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    tokens = dict(line.split()[1:] for line in tokens if line.startswith("TOKEN "))
    with open(scratch / "gunicorn.log", "w") as log:
        return serve_and_fuzz(args, env, python, log, tokens)


def serve_and_fuzz(args, env: dict, python: str, log, tokens: dict[str, str]) -> int:
    server = subprocess.Popen(
        [str(Path(python).parent / "gunicorn"), "cme.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    schema = f"http://127.0.0.1:{PORT}/api/v1/openapi.json"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(schema, timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        failed = 0
        print(f"{'token of':12} {'operations':>10} {'server errors':>14} {'seconds':>8}")
        for name, token in tokens.items():
            started = time.perf_counter()
            run = subprocess.run(
                [
                    args.st, "run", schema, "-H", f"Authorization: Bearer {token}",
                    "-c", "not_a_server_error", "-n", str(args.examples),
                    "--phases", "examples,coverage,fuzzing", "--no-color",
                ],
                cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            out = run.stdout + run.stderr
            tested = re.search(r"(\d+) (?:selected|total)", out)
            found = re.search(r"Server error: (\d+)", out)
            errors = int(found.group(1)) if found else 0
            failed += errors or (run.returncode != 0)
            print(
                f"{name:12} {tested.group(1) if tested else '?':>10} {errors:>14} "
                f"{time.perf_counter() - started:8.0f}"
            )
            if run.returncode != 0:
                print(out[out.find("FAILURES") :][:6000] if "FAILURES" in out else out[-3000:])
        return 1 if failed else 0
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
