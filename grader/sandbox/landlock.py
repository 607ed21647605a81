"""Confine a process with Linux Landlock (no privileges needed).

Applied twice: to the fork server before it execs Python (read the sandbox's
view, write the run's folder), and again by each child right after its fork,
before any student code (read the same view, write only its own folder).
Each layer also blocks TCP and scopes signals and abstract sockets to its own
domain, so a child cannot signal, trace or read the fork server, a sibling
forked ahead, or the grader, even under the same account. Where the kernel
has no Landlock, `confine` returns False (docs/security.md says what holds).

The fork server runs this file's source text, so it imports only the standard library.
"""
import ctypes
import os

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # same on x86_64 and arm64
PR_SET_NO_NEW_PRIVS = 38
RULE_PATH_BENEATH = 1
CREATE_RULESET_VERSION = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
READ = EXECUTE | READ_FILE | READ_DIR
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_CONNECT_AND_BIND_TCP = (1 << 0) | (1 << 1)          # ABI 4
SCOPE_ABSTRACT_UNIX_AND_SIGNAL = (1 << 0) | (1 << 1)    # ABI 6
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)


def abi_version():
    """The kernel's Landlock ABI version, or 0 when Landlock is unavailable."""
    version = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)
    return max(version, 0)


def confine(writable, readable, listable=()):
    """Restrict the calling process (and all it forks or execs) to reading `readable`,
    listing (not reading) `listable`, and writing only beneath `writable`."""
    abi = abi_version()
    if abi < 1:
        return False
    fs_rights = FS_RIGHTS_BY_ABI[max(v for v in FS_RIGHTS_BY_ABI if v <= abi)]
    attr = _RulesetAttr(fs_rights, NET_CONNECT_AND_BIND_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_AND_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return False
    try:
        rules = [(p, READ) for p in readable] + [(p, READ_DIR) for p in listable]
        rules += [(d, READ_FILE | WRITE_FILE) for d in DEVICES]
        rules.append((writable, fs_rights))
        for path, rights in rules:
            _allow(ruleset, path, rights & fs_rights)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if _libc.syscall(SYS_RESTRICT_SELF, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
    return True


def _allow(ruleset, path, rights):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a folder this system does not have
    try:
        if not os.path.isdir(path):
            rights &= EXECUTE | READ_FILE | WRITE_FILE | (1 << 14)  # file rules take file rights only
        rule = _PathBeneathAttr(rights, fd)
        if _libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
