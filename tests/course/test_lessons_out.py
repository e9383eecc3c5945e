"""python -m course.lessons --out: a path that cannot take the figures is refused in one line, exit 2, before any
lesson runs; a figure is written atomically (complete or not at all)."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("matplotlib")

import course.lessons.__main__ as command


@pytest.fixture
def no_lesson_runs(monkeypatch):
    """Fail the test if a lesson starts: every check must come first."""

    def run(name):
        raise AssertionError(f"the lesson {name} ran before the output was checked")

    monkeypatch.setattr(command, "run", run)


def refused(argv, capsys) -> str:
    assert command.main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_out_inside_a_file(tmp_path, capsys, no_lesson_runs):
    (tmp_path / "file").write_text("keep me")
    err = refused(["update-rule", "--out", str(tmp_path / "file" / "figures")], capsys)
    assert "file" in err and "not a folder" in err
    assert (tmp_path / "file").read_text() == "keep me"


def test_out_on_a_dangling_link(tmp_path, capsys, no_lesson_runs):
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    err = refused(["update-rule", "--out", str(tmp_path / "link")], capsys)
    assert "symbolic link" in err and "does not exist" in err


def test_a_figure_name_taken_by_a_folder(tmp_path, capsys, no_lesson_runs):
    (tmp_path / "update-rule.png").mkdir()
    err = refused(["update-rule", "--out", str(tmp_path)], capsys)
    assert "update-rule.png" in err and "a folder" in err


def test_a_figure_name_taken_by_a_fifo(tmp_path, capsys, no_lesson_runs):
    os.mkfifo(tmp_path / "vanishing.png")
    err = refused(["all", "--out", str(tmp_path)], capsys)
    assert "vanishing.png" in err and "FIFO" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_figure(tmp_path, capsys, no_lesson_runs):
    figure = tmp_path / "update-rule.png"
    figure.write_bytes(b"old")
    figure.chmod(0o444)
    err = refused(["update-rule", "--out", str(tmp_path)], capsys)
    assert "update-rule.png" in err and "read-only" in err


def test_the_figure_is_written_atomically(tmp_path, capsys, monkeypatch):
    written = []
    real = command.write_atomic

    def spy(path, data):
        written.append(path)
        return real(path, data)

    monkeypatch.setattr(command, "write_atomic", spy)
    link = tmp_path / "update-rule.png"
    (tmp_path / "real.png").write_bytes(b"old")
    link.symlink_to(tmp_path / "real.png")  # a link is followed, as every writer of the project does
    assert command.main(["update-rule", "--out", str(tmp_path)]) == 0
    assert written == [link] and link.is_symlink()
    assert (tmp_path / "real.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.png", "update-rule.png"]  # no temporary file left
