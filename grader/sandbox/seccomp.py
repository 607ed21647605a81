"""A seccomp filter for the fork server and every child it forks (x86_64).

Landlock confines files, TCP and signals; these system calls reach kernel
state it does not cover, which would outlive a check or cross between checks:
keyrings, System V IPC and POSIX message queues, tracing other processes,
new namespaces (an unprivileged user namespace widens the kernel's attack
surface), eBPF, perf, userfaultfd, io_uring, sockets other than AF_UNIX
(UDP, netlink, raw), and resource limits of other processes (prlimit on the
fork server, which runs under the same account). Each returns EPERM; clone3 returns ENOSYS, so the C
library falls back to clone, whose flags the filter can read.
"""
import ctypes
import platform
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_BIT = 0x40000000
DENIED = {  # x86_64 numbers
    "shmget": 29, "shmat": 30, "shmctl": 31, "semget": 64, "semop": 65, "semctl": 66, "msgget": 68,
    "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "ptrace": 101, "pivot_root": 155, "chroot": 161,
    "mount": 165, "umount2": 166, "semtimedop": 220, "mq_open": 240, "mq_unlink": 241,
    "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
    "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "perf_event_open": 298,
    "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311, "bpf": 321, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsmount": 432, "pidfd_getfd": 438, "mount_setattr": 442}
SYS_CLONE, SYS_CLONE3, SYS_SOCKET, SYS_PRLIMIT64 = 56, 435, 41, 302
NEW_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
AF_UNIX = 1

LD_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000
EPERM, ENOSYS = 1, 38
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def supported():
    return platform.machine() == "x86_64"


def program():
    """The filter as (code, jt, jf, k) tuples; jumps name labels, resolved below."""
    deny, enosys, allow = "deny", "enosys", "allow"
    steps = [(LD_ABS, 0, 0, 4), (JEQ, 0, deny, AUDIT_ARCH_X86_64),
             (LD_ABS, 0, 0, 0), (JGE, deny, 0, X32_BIT)]
    steps += [(JEQ, deny, 0, number) for number in sorted(DENIED.values())]
    steps += [(JEQ, enosys, 0, SYS_CLONE3),
              (JEQ, 0, "socket?", SYS_CLONE), (LD_ABS, 0, 0, 16), (JSET, deny, allow, NEW_NAMESPACES),
              ("socket?", JEQ, 0, "prlimit?", SYS_SOCKET), (LD_ABS, 0, 0, 16), (JEQ, allow, deny, AF_UNIX),
              ("prlimit?", JEQ, 0, allow, SYS_PRLIMIT64), (LD_ABS, 0, 0, 16), (JEQ, allow, deny, 0),
              (allow, RET, 0, 0, ALLOW), (deny, RET, 0, 0, ERRNO | EPERM), (enosys, RET, 0, 0, ERRNO | ENOSYS)]
    labels = {}
    plain = []
    for step in steps:
        if isinstance(step[0], str):
            labels[step[0]] = len(plain)
            step = step[1:]
        plain.append(step)

    def offset(target, here):
        return labels[target] - here - 1 if isinstance(target, str) else target
    return [(code, offset(jt, i), offset(jf, i), k) for i, (code, jt, jf, k) in enumerate(plain)]


class _Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install():
    """Filter the calling process and all it forks or execs; False where unsupported."""
    if not supported():
        return False
    steps = program()
    raw = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *s) for s in steps))
    prog = _Fprog(len(steps), ctypes.addressof(raw))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "installing the seccomp filter failed")
    return True
