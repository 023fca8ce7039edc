"""Every file costcalc writes goes through here: whole or not at all, OS errors named (exit 2)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from costcalc.errors import UserError


def write_file(path: Path, data: str | bytes) -> None:
    """Write `data` to `path`: into a temporary file beside it, moved into place only once it
    is complete, so a failed run leaves neither a half-written file nor a clobbered old one.
    A device or a pipe (`-o /dev/stdout`) is written in place. Any OS error (a folder, a path
    under a regular file, a full disk, no permission) is a UserError naming the path."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # a link to a regular file is followed, so that file is replaced and the link kept (`-o
    # /dev/stdout` with stdout sent to a file writes that file, not a new /dev/stdout); a
    # link to anything else (a pipe, a terminal) is written through, in place
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        if real is not path and not real.is_file():
            with path.open("wb") as handle:
                handle.write(payload)
            return
        path = real
        if path.exists() and not path.is_file() and not path.is_dir():
            with path.open("wb") as handle:  # a device or a pipe
                handle.write(payload)
            return
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder", str(path))
        _make_parent(path)
        _replace_whole(path, payload)
    except OSError as exc:
        raise UserError(f"{path}: cannot write it: {_why(path, exc)}") from None


def check_target(path: Path) -> None:
    """Refuse before any work is done a path that cannot be written: a folder, a path under a
    regular file, a file or folder without write permission."""
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder", str(path))
        if path.exists() and not path.is_file():
            return  # a device or a pipe
        folder = _existing_folder(path)
        # the file is written beside its target and moved in: its folder must take it too
        for target in (path, folder) if path.exists() else (folder,):
            if not os.access(target, os.W_OK):
                raise PermissionError(13, "Permission denied", str(target))
    except OSError as exc:
        raise UserError(f"{path}: cannot write it: {_why(path, exc)}") from None


def append_file(path: Path, text: str) -> None:
    """Append `text` (a CI step summary adds to what earlier steps wrote)."""
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder", str(path))
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UserError(f"{path}: cannot append to it: {_why(path, exc)}") from None


def _existing_folder(path: Path) -> Path:
    """The nearest folder above `path` that exists; a regular file there ("a/b/x.json" with a
    file "a/b") is an error."""
    folder = next(f for f in (path.parent, *path.parent.parents) if f.exists())
    if not folder.is_dir():
        raise NotADirectoryError(20, f"{folder} is not a folder", str(folder))
    return folder


def _make_parent(path: Path) -> None:
    _existing_folder(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _replace_whole(path: Path, payload: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                         dir=path.parent)  # fmt: skip
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())  # a full disk fails here, before the old file is replaced
        with contextlib.suppress(OSError):  # keep an existing file's permissions
            os.chmod(temporary, path.stat().st_mode if path.exists() else _default_mode())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _default_mode() -> int:
    """What open() would give a new file: 0o666 less the umask (mkstemp makes it 0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _why(path: Path, exc: OSError) -> str:
    if isinstance(exc, NotADirectoryError) and exc.strerror and "is not a folder" in exc.strerror:
        return exc.strerror
    if isinstance(exc, IsADirectoryError):
        return "it is a folder; name a file"
    return exc.strerror or str(exc)
