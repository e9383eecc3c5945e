"""``write_atomic(path, data)``: write a file as careful tools do, complete or not at all.

The one implementation behind every file this project writes (``viz``'s
drawings and player, ``nn``'s parameter files). The data goes to a temporary
file in the target's folder, is flushed to disk, and is renamed over the target
(``os.replace``, atomic), so a reader sees the old file or the new one, never
half of one, and a failure leaves the old file untouched. A rename replaces
whatever the name held, so first:

* a symbolic link is followed: its target is written and the link stays;
* anything but a regular file (a folder, a FIFO, a device such as
  ``/dev/null``, a socket) is refused, so even root never replaces a system node;
* a file that ``open()`` would refuse to write (read-only for this user) is refused;
* the new file keeps the old one's permission bits, and its owner and group;
* a file with several hard links, or whose owner or group this user cannot
  give the new file, is written in place instead: every name keeps seeing the
  one file, as with ``open(path, "w")``. That write is not atomic (a crash
  can leave it partly written), which beats splitting the links or handing
  someone's file to another user without a word.

The temporary name is short (18 characters, whatever the target's name), so
any valid file name can be written; errors name the target, never the
temporary file.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

__all__ = ["write_atomic"]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _naming(exc: OSError, shown: Path) -> OSError:
    """The same error about ``shown`` (the path the caller gave) instead of a temporary file."""
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror, str(shown))  # OSError(errno, ...) picks the subclass: FileNotFoundError...


def _resolve(path: Path) -> Path:
    """The file to write: ``path``, or the file a symbolic link at ``path`` points to (it may not exist yet)."""
    if not path.is_symlink():
        if not path.parent.is_dir():
            if path.parent.exists():
                raise NotADirectoryError(
                    errno.ENOTDIR,
                    f"{os.strerror(errno.ENOTDIR)}: {str(path.parent)!r} is a "
                    f"file, so nothing can be written inside it",
                    str(path),
                )
            raise FileNotFoundError(f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist")
        return path
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # realpath stops at a loop
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    if not target.parent.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(path)!r}: it is a symbolic link to {str(target)!r}, whose folder does not exist"
        )
    return target


def _existing(target: Path, shown: Path) -> os.stat_result | None:
    """The target's status when it exists; an error when it is not a regular file this user may write."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    for is_kind, kind in _KINDS:
        if is_kind(info.st_mode):
            raise OSError(
                f"cannot write {str(shown)!r}: it is {kind}, not a regular file; only regular files "
                f"are written, never replaced by one"
            )
    if not os.access(target, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
        raise PermissionError(
            errno.EACCES, f"{os.strerror(errno.EACCES)} (the file is read-only for this user)", str(shown)
        )
    return info


def _write_in_place(target: Path, payload: bytes, shown: Path) -> None:
    """Overwrite the existing file itself: its inode, links, owner and mode stay; not atomic."""
    try:
        with open(target, "r+b") as f:
            f.write(payload)
            f.truncate()
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        raise _naming(exc, shown) from None


def _keep_owner_and_mode(fd: int, temporary: Path, existing: os.stat_result) -> bool:
    """Give the temporary file the existing file's owner, group and permissions; False when not allowed."""
    made = os.fstat(fd)
    if (made.st_uid, made.st_gid) != (existing.st_uid, existing.st_gid):
        try:
            os.chown(temporary, existing.st_uid, existing.st_gid)
        except PermissionError:
            return False
    # Permission bits only: the new contents do not inherit a set-user-ID or set-group-ID bit.
    os.chmod(temporary, stat.S_IMODE(existing.st_mode) & ~(stat.S_ISUID | stat.S_ISGID))
    return True


def _replace(target: Path, payload: bytes, existing: os.stat_result | None, shown: Path) -> bool:
    """Write a temporary file beside the target and rename it over it; False, with nothing done, when the
    existing file's owner could not be kept.
    """
    temporary = target.parent / f".{secrets.token_hex(6)}.tmp"
    try:
        # A fresh name (O_EXCL), mode 0o666 less the umask: a new file gets what open() would give it.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise _naming(exc, shown) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if existing is not None and not _keep_owner_and_mode(f.fileno(), temporary, existing):
                temporary.unlink()
                return False
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _naming(exc, shown) from None
        raise
    return True


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (bytes, or text as UTF-8) to ``path``, atomically; returns ``path`` as a Path.

    Follows a symbolic link, keeps an existing file's mode and owner, and
    writes in place (not atomically) a file with several hard links. See the
    module docstring for why.

    Raises:
        FileNotFoundError: the folder does not exist.
        PermissionError: the file, or its folder, may not be written by this user.
        OSError: the path is not a regular file (a folder, FIFO, device or
            socket), or the write failed; the message names ``path``.
    """
    if os.fspath(path).endswith(("/", os.sep)):  # Path() would drop the separator and write a file
        raise IsADirectoryError(
            errno.EISDIR, "a path ending in a separator names a folder, not a file", os.fspath(path)
        )
    path = Path(path)
    if not isinstance(data, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic: data must be str or bytes, got {type(data).__name__}")
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = _resolve(path)
    existing = _existing(target, path)
    if existing is not None and existing.st_nlink > 1:
        _write_in_place(target, payload, path)  # replacing would split the hard links
    elif not _replace(target, payload, existing, path):
        _write_in_place(target, payload, path)  # replacing would change the file's owner
    return path
