"""Folders of a grading run, made by root without ever following a link.

The run's folder belongs to root (mode 711), so no sandboxed process can
create, rename or replace anything in it. Each child gets a folder of its own
inside, filled with hard links to the staged files (read-only, root's) before
it is handed to the sandbox account (copies when not root: a child running as
the grader's own user could chmod a linked file and change it for later checks); every step works on open folder
fds with O_NOFOLLOW and O_EXCL, never on a path a sandboxed process could
have swapped for a link.

A grader holds a lock on its run's folder while it lives; the next grader
removes folders whose lock nobody holds, left by graders that were killed
(a batch's cap per submission kills a grader outright).
"""
import fcntl
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import time

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FONT_CACHE = "/var/cache/backprop-grader/matplotlib"  # root's, kept between runs
MAX_FONT_LIST = 4 * 2**20
RUN_PREFIX = "grader-run-"
STALE_AFTER = 60  # seconds: a younger folder may be one a grader is still setting up


def remove_tree(path):
    """Remove a folder a child may have filled with anything, however deep: shutil.rmtree
    (fd-based, never follows a link) recurses, and gives up past a thousand levels before
    Python 3.12; coreutils' rm does not."""
    try:
        shutil.rmtree(path, ignore_errors=True)
    except RecursionError:
        subprocess.run(["rm", "-rf", "--one-file-system", "--", path], check=False)


def sweep_stale_runs(top=None):
    """Remove our run folders that no live grader holds a lock on."""
    top = top or tempfile.gettempdir()
    for name in os.listdir(top):
        if not name.startswith(RUN_PREFIX):
            continue
        try:
            fd = os.open(os.path.join(top, name), DIR_FLAGS)
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if info.st_uid == os.geteuid() and time.time() - info.st_mtime > STALE_AFTER:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                remove_tree(os.path.join(top, name))
        except OSError:
            pass  # held by a live grader
        finally:
            os.close(fd)


class RunFolder:
    """The folder holding this run's child folders (and the matplotlib cache)."""

    def __init__(self, user):
        self.user = user
        sweep_stale_runs()
        self.path = tempfile.mkdtemp(prefix=RUN_PREFIX)
        self.fd = os.open(self.path, DIR_FLAGS)
        fcntl.flock(self.fd, fcntl.LOCK_EX)  # released when this process ends, however it ends
        os.fchmod(self.fd, 0o711)
        self.mpl_config = self._own_folder("mpl-config")

    def _own_folder(self, name):
        """A new, empty folder of the sandbox account: returns its path."""
        os.mkdir(name, 0o700, dir_fd=self.fd)
        fd = os.open(name, DIR_FLAGS, dir_fd=self.fd)
        try:
            if self.user is not None:
                os.fchown(fd, self.user.pw_uid, self.user.pw_gid)
        finally:
            os.close(fd)
        return os.path.join(self.path, name)

    def child_folder(self, staging):
        """A fresh folder for one child, holding the staged files."""
        name = "child-" + secrets.token_hex(6)
        os.mkdir(name, 0o700, dir_fd=self.fd)
        top = os.open(name, DIR_FLAGS, dir_fd=self.fd)
        folders = [top]
        try:
            _fill(staging, top, folders, link=self.user is not None)
            for fd in folders:
                if self.user is not None:
                    os.fchown(fd, self.user.pw_uid, self.user.pw_gid)
        finally:
            for fd in folders:
                os.close(fd)
        return os.path.join(self.path, name)

    def seed_font_cache(self):
        """Give the fork server matplotlib's font list kept from an earlier run (root only),
        so that it is built once per machine, not once per run."""
        self._font_lists(to_cache=False)

    def keep_font_cache(self):
        """Keep the font list the fork server built. Called once it is ready and before
        any child exists, so no student code can have touched the folder."""
        self._font_lists(to_cache=True)

    def _font_lists(self, to_cache):
        """Copy font lists between this run's matplotlib folder and FONT_CACHE; a cache that
        cannot be used only costs the time of building the list again."""
        if self.user is None:
            return
        fds = []
        try:
            fds.append(root_folder(FONT_CACHE, 0o755, 0o022))
            fds.append(os.open("mpl-config", DIR_FLAGS, dir_fd=self.fd))
            source, target = fds[::-1] if to_cache else fds
            have = set(os.listdir(target))
            for name in os.listdir(source):
                if name.startswith("fontlist-") and name.endswith(".json") and name not in have and \
                        os.stat(name, dir_fd=source, follow_symlinks=False).st_size <= MAX_FONT_LIST:
                    _copy(name, source, target)
        except OSError:
            pass
        finally:
            for fd in fds:
                os.close(fd)

    def mirror(self, paths):
        """Hard links (copies across file systems) of package files and folders (path ->
        its path inside site-packages) under a site-packages of this run's own, for a
        clone the sandbox account cannot enter (e.g. under a mode-700 /root). Returns
        the new site-packages folder."""
        root = os.path.join(self.path, "site-packages")
        os.mkdir(root, 0o755)
        for path, inside in paths.items():
            target = os.path.join(root, inside)
            if os.path.isdir(path):
                shutil.copytree(path, target, symlinks=True, copy_function=_link_or_copy)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                _link_or_copy(path, target)
        return root

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            remove_tree(self.path)


def _fill(staging, top, folders, link):
    """Mirror `staging` into the folder `top`: sub-folders made, files hard-linked if `link`
    (else, or where a link is impossible, copied with O_EXCL); `folders` collects every fd it opens."""
    targets = {".": top}
    for folder, subfolders, files, source in os.fwalk(staging):
        here = targets[os.path.relpath(folder, staging)]
        for name in subfolders:
            os.mkdir(name, 0o700, dir_fd=here)
            fd = os.open(name, DIR_FLAGS, dir_fd=here)
            folders.append(fd)
            targets[os.path.relpath(os.path.join(folder, name), staging)] = fd
        for name in files:
            if not stat.S_ISREG(os.stat(name, dir_fd=source, follow_symlinks=False).st_mode):
                continue
            try:
                if not link:
                    raise OSError("a copy, not a link")
                os.link(name, name, src_dir_fd=source, dst_dir_fd=here, follow_symlinks=False)
            except OSError:  # not root, or another file system
                _copy(name, source, here)


def root_folder(path, mode, closed):
    """An fd of the folder `path`, made with `mode` if missing; OSError unless it is root's and
    none of the `closed` permission bits is set (a folder others could write, or read, is not ours)."""
    try:
        os.makedirs(path, mode, exist_ok=True)
        fd = os.open(path, DIR_FLAGS)
    except OSError as exc:
        raise OSError(f"{path} cannot be used as root's folder ({exc.strerror}); remove it and grade again") from None
    info = os.fstat(fd)
    if info.st_uid != 0 or stat.S_IMODE(info.st_mode) & closed:
        os.close(fd)
        raise OSError(f"{path} must belong to root with mode {mode:o}; remove it and grade again")
    return fd


def _link_or_copy(source, target):
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def _copy(name, source, target):
    src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=source)
    try:
        dst = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o444,
                      dir_fd=target)
        try:
            while chunk := os.read(src, 1 << 20):
                os.write(dst, chunk)
        finally:
            os.close(dst)
    finally:
        os.close(src)
