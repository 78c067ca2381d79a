"""Run a command against a throwaway PostgreSQL cluster (Debian's postgresql binaries).

    python scripts/with_postgres.py -- pytest

initdb's a cluster in a temporary folder, starts it on a Unix socket only (no TCP port), runs the
command with KOMAR_DATABASE_URL pointing at it, then stops and deletes the cluster. As root the
cluster runs as the `postgres` user (PostgreSQL refuses root). If no PostgreSQL can be started,
this fails under CI=true and, elsewhere, says so loudly and exits 0 without running the command.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote


def find_bindir() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for path in reversed(candidates):
        if (Path(path) / "initdb").exists():
            return Path(path)
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).resolve().parent if pg_ctl else None


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[argv.index("--") + 1 :]
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL binaries not found (apt-get install postgresql)."
        if in_ci:
            print(f"FAIL: {message}", file=sys.stderr)
            return 1
        print(f"\n*** SKIPPED the PostgreSQL run: {message} ***\n", file=sys.stderr)
        return 0

    as_root = os.geteuid() == 0
    prefix: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    tmp = Path(tempfile.mkdtemp(prefix="komar-pg-"))
    data, log = tmp / "data", tmp / "server.log"
    if as_root:
        pw = pwd.getpwnam("postgres")
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
    tmp.chmod(0o755)

    def run(args: list[str]) -> None:
        subprocess.run(prefix + args, check=True, stdout=subprocess.DEVNULL)

    started = False
    try:
        run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"])  # fmt: skip
        options = (
            f"-k {tmp} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=50"
        )
        run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"])
        started = True
        url = f"postgres://postgres@{quote(str(tmp), safe='')}/komar"
        env = {**os.environ, "KOMAR_DATABASE_URL": url}
        print(f"PostgreSQL {bindir.parent.name} test cluster on {tmp}", flush=True)
        return subprocess.run(command, env=env).returncode
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"FAIL: could not start PostgreSQL: {exc}", file=sys.stderr)
        if log.exists():
            print(log.read_text()[-3000:], file=sys.stderr)
        return 1
    finally:
        if started:
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
