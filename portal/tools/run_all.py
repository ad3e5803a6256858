"""`make run`'s last step: the web server and the job worker, together, in one terminal.

    python -m portal.tools.run_all [--host 127.0.0.1] [--port 5000]

Starts `flask run` and `huey_consumer portal.jobs.huey` (from the same virtual environment),
prints every line of both prefixed with its name, and stops both when Ctrl-C (SIGINT) or
SIGTERM arrives, or when either of them exits (then with that one's exit status). Each child
runs in a session of its own, so the signal reaches it once, from here: SIGINT first, SIGTERM
after STOP_GRACE seconds, SIGKILL after as long again (a second Ctrl-C skips the wait).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

STOP_GRACE = 5.0
# Two threads: a long import does not hold up the every-minute jobs (on SQLite the jobs still
# take turns, see portal/jobs/queue.py); the web server has the other core.
# An idle worker looks at the SQLite queue at least every 2 s (huey's default backs off to 10 s;
# Redis wakes it at once).
WORKER_ARGS = [
    "portal.jobs.huey",
    "--workers",
    "2",
    "--worker-type",
    "thread",
    "--flush-locks",
    "--max-delay",
    "2",
]


def commands(host: str, port: int) -> list[tuple[str, list[str]]]:
    """(name, argv) of the web server and the worker, from this interpreter's environment."""
    bin_dir = Path(sys.executable).parent
    return [
        ("web", [str(bin_dir / "flask"), "run", "--host", host, "--port", str(port)]),
        ("worker", [str(bin_dir / "huey_consumer"), *WORKER_ARGS]),
    ]


class Supervisor:
    def __init__(self, specs: list[tuple[str, list[str]]]) -> None:
        self.specs = specs
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stopping = threading.Event()
        self.signals = 0
        self.width = max(len(name) for name, _argv in specs)
        self.output = threading.Lock()
        self.pumps: list[threading.Thread] = []

    def start(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, argv in self.specs:
            child = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # the terminal's Ctrl-C reaches us only; we forward it
            )
            self.children.append((name, child))
            pump = threading.Thread(target=self._pump, args=(name, child), daemon=True)
            pump.start()
            self.pumps.append(pump)

    def _pump(self, name: str, child: subprocess.Popen) -> None:
        assert child.stdout is not None
        for raw in iter(child.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.output:
                sys.stdout.write(f"{name:<{self.width}} | {line}\n")
                sys.stdout.flush()
        child.stdout.close()

    def on_signal(self, signum: int, _frame: object) -> None:
        self.signals += 1
        self.stopping.set()

    def wait(self) -> int:
        """Until a signal arrives or a child exits; then stop them all. The exit status."""
        status = 0
        while not self.stopping.is_set():
            for name, child in self.children:
                code = child.poll()
                if code is not None:
                    self.say(f"{name} exited with status {code}: stopping the others")
                    status = code or 1
                    self.stopping.set()
                    break
            self.stopping.wait(0.2)
        self.stop()
        for pump in self.pumps:  # the last lines of both
            pump.join(timeout=2)
        return status

    def stop(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            running = [(n, c) for n, c in self.children if c.poll() is None]
            if not running:
                return
            for _name, child in running:
                try:
                    os.killpg(child.pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + STOP_GRACE
            first = self.signals
            while time.monotonic() < deadline and self.signals == first:
                if all(c.poll() is not None for _n, c in running):
                    return
                time.sleep(0.1)

    def say(self, message: str) -> None:
        with self.output:
            sys.stdout.write(f"{'run':<{self.width}} | {message}\n")
            sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    supervisor = Supervisor(commands(args.host, args.port))
    signal.signal(signal.SIGINT, supervisor.on_signal)
    signal.signal(signal.SIGTERM, supervisor.on_signal)
    supervisor.start()
    supervisor.say("web server and job worker started; Ctrl-C stops both")
    return supervisor.wait()


if __name__ == "__main__":
    sys.exit(main())
