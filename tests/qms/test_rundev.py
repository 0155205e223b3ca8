"""`manage.py rundev` (what `make run` ends in): the web server and a Celery worker with beat on the
embedded default, and Ctrl-C stops every process it started."""

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.qms.test_platform import BASE_DIR, clean_env, manage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parent_of(pid_dir: Path) -> int | None:
    try:
        return int((pid_dir / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (parent := parent_of(entry)) is not None:
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_for(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} within {timeout} s; output:\n{log.read_text()[-3000:]}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a loopback URL)
            return response.status == 200
    except OSError:
        return False


def test_rundev_serves_runs_celery_and_ctrl_c_stops_every_process_it_started(tmp_path):
    env = clean_env(tmp_path, DEBUG="1", DEMO_MODE="0")
    assert manage(env, "migrate", "--noinput", "-v", "0").returncode == 0
    port = free_port()
    log = tmp_path / "rundev.log"
    with log.open("w") as output:
        # Started as a shell starts a background job: ignoring SIGINT. Ctrl-C must work all the same.
        rundev = subprocess.Popen(
            [sys.executable, "manage.py", "rundev", "--addrport", f"127.0.0.1:{port}", "--settings=qms.settings"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # noqa: PLW1509
        )
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/login/"), 60, "the web server answers", log)
        wait_for(lambda: "ready." in log.read_text(), 60, "the Celery worker is ready", log)
        wait_for(lambda: "beat: Starting" in log.read_text(), 30, "beat starts", log)
        started = descendants(rundev.pid)
        assert len(started) >= 4  # runserver and its autoreloader, the worker and its pool (and beat)

        rundev.send_signal(signal.SIGINT)
        rundev.wait(timeout=30)
        wait_for(lambda: not any(running(pid) for pid in started), 10, "every process stops", log)
        assert not answers(f"http://127.0.0.1:{port}/login/")
    finally:
        if rundev.poll() is None:
            rundev.kill()
        for pid in descendants(rundev.pid):
            subprocess.run(["kill", "-9", str(pid)], check=False)
