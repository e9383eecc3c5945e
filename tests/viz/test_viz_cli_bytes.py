"""python -m viz with bytes that are not UTF-8 (arguments, an exercise's answers) and a closed stdout.

Linux hands Python such arguments as lone surrogates (``surrogateescape``):
each is refused with one line naming the argument, exit status 2, nothing
written, and never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(args: list[bytes], cwd: Path, stdin: bytes = b"", **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "LC_ALL": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"viz", *args],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        timeout=60,
    )


def one_line_error(result: subprocess.CompletedProcess, prog: str = "python -m viz") -> str:
    assert result.returncode == 2, result.stderr
    assert b"Traceback" not in result.stderr
    lines = result.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: "), lines
    return lines[0]


@pytest.mark.parametrize(
    "args, position",
    [
        ([b"x\xff", b"x=1"], 1),
        ([b"x", b"x=\xff"], 2),
        ([b"x", b"\xff=1"], 2),
        ([b"x", b"x=1", b"-o", b"\xff.dot"], 4),
        ([b"x", b"x=1", b"--tangent", b"x=\xfe"], 4),
        ([b"exercise", b"a*b", b"a=\xff", b"b=2"], 3),
    ],
)
def test_arguments_that_are_not_utf8(tmp_path, args, position):
    line = one_line_error(run(args, tmp_path), "python -m viz")
    assert f"argument {position} " in line and "not UTF-8" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("encoding", ["C.UTF-8", "en_US.UTF-8"])
def test_an_exercise_answer_that_is_not_utf8(tmp_path, encoding):
    result = run([b"exercise", b"a*b", b"a=1", b"b=2"], tmp_path, stdin=b"\xff\xfe\n", LC_ALL=encoding)
    line = one_line_error(result, "python -m viz exercise")
    assert "answer" in line and "not UTF-8" in line


def test_a_closed_stdout_is_no_traceback(tmp_path):
    reader = subprocess.Popen(
        [sys.executable, "-m", "viz", "tanh(w*x + b)", "w=-3", "x=2", "b=6.88", "--explain"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader.stdout.close()  # as `| head -0` would
    _, err = reader.communicate(timeout=60)
    assert b"Traceback" not in err
    assert reader.returncode == 1


def test_an_ascii_terminal_gets_escapes_not_a_traceback(tmp_path):
    result = run([b"tanh(w*x + b)", b"w=-3", b"x=2", b"b=6.88", b"--explain"], tmp_path, PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert b"\\u2202" in result.stdout or b"\\xb7" in result.stdout


def test_ctrl_c_at_an_exercise_prompt_is_no_traceback(tmp_path):
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "viz", "exercise", "a*b", "a=1", "b=2"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    seen = b""
    while not seen.endswith(b" = "):  # the first question's prompt, waiting for an answer
        chunk = process.stdout.read1(4096)
        assert chunk and time.monotonic() < deadline, seen
        seen += chunk
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and b"Traceback" not in err
