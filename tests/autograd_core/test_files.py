"""write_atomic: complete or nothing, through links, never over devices, keeping mode, owner and hard links."""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest
from helpers import NOBODY, as_user_without_root_rights

from autograd_core.files import write_atomic


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------------- what is written


def test_a_new_file_gets_what_open_would_give_it(tmp_path):
    path = write_atomic(tmp_path / "new.txt", "héllo")
    mask = os.umask(0)
    os.umask(mask)
    assert path == tmp_path / "new.txt" and path.read_bytes() == "héllo".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert names(tmp_path) == ["new.txt"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o604], ids=oct)
def test_an_existing_files_mode_is_kept(tmp_path, mode):
    path = tmp_path / "f.json"
    path.write_text("old")
    path.chmod(mode)
    write_atomic(path, "new")
    assert path.read_text() == "new" and stat.S_IMODE(path.stat().st_mode) == mode


def test_set_user_id_is_not_carried_to_new_contents(tmp_path):
    path = tmp_path / "tool"
    path.write_text("old")
    path.chmod(0o4755)
    write_atomic(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o755


def test_through_a_symbolic_link_the_target_is_written_and_the_link_stays(tmp_path):
    target = tmp_path / "real.svg"
    target.write_text("old")
    target.chmod(0o600)
    link = tmp_path / "link.svg"
    link.symlink_to("real.svg")
    assert write_atomic(link, "new") == link
    assert link.is_symlink() and os.readlink(link) == "real.svg"
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert names(tmp_path) == ["link.svg", "real.svg"]


def test_a_dangling_link_gets_its_target_created(tmp_path):
    (tmp_path / "out").mkdir()
    link = tmp_path / "latest.dot"
    link.symlink_to(tmp_path / "out" / "graph.dot")
    write_atomic(link, "digraph {}")
    assert link.is_symlink() and (tmp_path / "out" / "graph.dot").read_text() == "digraph {}"


def test_hard_links_stay_one_file(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old")
    os.link(first, second)
    write_atomic(first, "new")
    assert second.read_text() == "new" and first.stat().st_ino == second.stat().st_ino
    assert first.stat().st_nlink == 2 and names(tmp_path) == ["a.json", "b.json"]


def test_a_shorter_write_in_place_leaves_no_old_tail(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("a long old content")
    os.link(first, second)
    write_atomic(first, "short")
    assert second.read_text() == "short"


@pytest.mark.parametrize("length", [240, 255])
def test_any_valid_file_name_can_be_written(tmp_path, length):
    path = tmp_path / ("n" * (length - 4) + ".dot")
    write_atomic(path, "x")
    assert path.read_text() == "x" and names(tmp_path) == [path.name]


@pytest.mark.parametrize("data, expected", [(b"\x00\xff", b"\x00\xff"), (bytearray(b"ab"), b"ab"), ("é", "é".encode())])
def test_bytes_and_text(tmp_path, data, expected):
    assert write_atomic(tmp_path / "f", data).read_bytes() == expected


def test_other_data_is_a_type_error(tmp_path):
    with pytest.raises(TypeError, match="data must be str or bytes, got int"):
        write_atomic(tmp_path / "f", 3)
    assert names(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_the_owner_is_kept(tmp_path):
    path = tmp_path / "theirs.json"
    path.write_text("old")
    os.chown(path, NOBODY, NOBODY)
    write_atomic(path, "new")
    assert (path.stat().st_uid, path.stat().st_gid) == (NOBODY, NOBODY) and path.read_text() == "new"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs a file of another user that this user may write")
def test_a_file_whose_owner_cannot_be_kept_is_written_in_place(shared_folder):
    path = shared_folder / "roots.json"
    path.write_text("old")
    path.chmod(0o666)  # root's, writable by anyone: nobody cannot give a new file to root
    with as_user_without_root_rights():
        write_atomic(path, "new")
    assert path.read_text() == "new" and path.stat().st_uid == 0
    assert names(shared_folder) == ["roots.json"]


# ------------------------------------------------------------------- refusals


def _device(folder: Path) -> Path:
    """A character device like /dev/null: made in ``folder`` as root, so a broken write cannot harm the real one."""
    if os.geteuid() != 0:
        return Path("/dev/null")  # this user cannot replace it anyway; the refusal must come first
    path = folder / "null"
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return path


def _fifo(folder: Path) -> Path:
    path = folder / "pipe"
    os.mkfifo(path)
    return path


def _socket(folder: Path) -> Path:
    path = folder / "s"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()
    return path


def _folder(folder: Path) -> Path:
    path = folder / "graph.svg"
    path.mkdir()
    return path


NOT_REGULAR = [
    # (case, make the path, kind in the message, test of the node afterwards)
    ("character device", _device, "a character device", stat.S_ISCHR),
    ("FIFO", _fifo, "a FIFO (named pipe)", stat.S_ISFIFO),
    ("socket", _socket, "a socket", stat.S_ISSOCK),
    ("folder", _folder, "a folder", stat.S_ISDIR),
]


@pytest.mark.parametrize("case, make, kind, still", NOT_REGULAR, ids=[c[0] for c in NOT_REGULAR])
def test_non_regular_files_are_refused_and_left_alone(tmp_path, case, make, kind, still):
    path = make(tmp_path)
    before = names(tmp_path)
    with pytest.raises(OSError) as caught:
        write_atomic(path, "data")
    assert str(caught.value) == (
        f"cannot write {str(path)!r}: it is {kind}, not a regular file; only regular files "
        f"are written, never replaced by one"
    )
    assert still(os.lstat(path).st_mode) and names(tmp_path) == before


def test_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "out"
    link.symlink_to(_device(tmp_path))
    with pytest.raises(OSError, match="it is a character device"):
        write_atomic(link, "data")
    assert link.is_symlink()


def test_a_read_only_file_is_refused_as_open_would_refuse_it(shared_folder):
    path = shared_folder / "locked.json"
    path.write_text("old")
    path.chmod(0o444)
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)
    with as_user_without_root_rights():
        with pytest.raises(PermissionError) as by_open:
            open(path, "w")
        with pytest.raises(PermissionError) as caught:
            write_atomic(path, "new")
    assert by_open.value.errno == caught.value.errno == errno.EACCES
    assert caught.value.filename == str(path) and "read-only for this user" in str(caught.value)
    assert path.read_text() == "old" and names(shared_folder) == ["locked.json"]


def test_a_link_loop_is_refused(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OSError) as caught:
        write_atomic(tmp_path / "a", "x")
    assert caught.value.errno == errno.ELOOP and caught.value.filename == str(tmp_path / "a")
    assert (tmp_path / "a").is_symlink() and names(tmp_path) == ["a", "b"]


@pytest.mark.parametrize(
    "where, error, words",
    [
        ("missing/graph.dot", FileNotFoundError, "the folder '.*missing' does not exist"),
        ("link.dot", FileNotFoundError, "it is a symbolic link to '.*nowhere/graph.dot', whose folder does not exist"),
        ("afile/graph.dot", NotADirectoryError, "'.*afile' is a file, so nothing can be written inside it"),
        ("graph.dot/", IsADirectoryError, "a path ending in a separator names a folder, not a file"),
    ],
)
def test_a_folder_that_is_not_there_is_named(tmp_path, where, error, words):
    (tmp_path / "link.dot").symlink_to(tmp_path / "nowhere" / "graph.dot")
    (tmp_path / "afile").write_text("keep")
    with pytest.raises(error, match=words):
        write_atomic(f"{tmp_path}/{where}", "x")
    assert names(tmp_path) == ["afile", "link.dot"]


# --------------------------------------------------------------------- errors


def test_a_failed_write_names_the_target_and_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_atomic(path, "new")
    assert str(caught.value) == f"[Errno 28] No space left on device: {str(path)!r}"
    assert path.read_text() == "old" and names(tmp_path) == ["model.json"]


def test_an_unwritable_folder_names_the_target(shared_folder):
    folder = shared_folder / "sealed"
    folder.mkdir()
    if os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)
    folder.chmod(0o555)
    try:
        with as_user_without_root_rights(), pytest.raises(PermissionError) as caught:
            write_atomic(folder / "graph.svg", "x")
    finally:
        folder.chmod(0o755)
    assert caught.value.filename == str(folder / "graph.svg")
