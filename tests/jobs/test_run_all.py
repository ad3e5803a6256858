"""`make run`'s supervisor: the web server and the worker start together, their output is
shown prefixed, and Ctrl-C (or either one dying) stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from portal.config import TestConfig
from portal.tools import run_all

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_when_one_child_exits_the_other_is_stopped_and_its_status_returned(capsys):
    supervisor = run_all.Supervisor(
        [
            ("long", _python("import time; print('up', flush=True); time.sleep(60)")),
            ("short", _python("import time; time.sleep(0.5); raise SystemExit(3)")),
        ]
    )
    supervisor.start()
    started = time.monotonic()
    assert supervisor.wait() == 3
    assert time.monotonic() - started < 5
    assert all(child.poll() is not None for _name, child in supervisor.children)
    out = capsys.readouterr().out
    assert "long  | up" in out and "short exited with status 3" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_runs_last_step_starts_the_web_server_and_the_worker_and_ctrl_c_stops_both(
    tmp_path,
):
    env = {
        **os.environ,
        "HUEY_IMMEDIATE": "0",
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": TestConfig.SECRET_KEY,
        "AUDIT_KEY": TestConfig.AUDIT_KEY,
        "FLASK_APP": "wsgi:app",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.tools.run_all", "--port", str(_free_port())],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            seen.append(line)
            text = "".join(seen)
            if "web    | " in text and "Running on" in text and "Huey consumer started" in text:
                break
        else:
            raise AssertionError("".join(seen))
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        rest, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = "".join(seen) + rest
    assert "worker | " in output and "Consumer exiting" in output
    assert process.returncode == 0, output
