"""Per-child limits and the environment a sandboxed process starts with."""
import os
from dataclasses import dataclass, field

PASSED_THROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _positive(value):
    """> 0"""
    return "" if value > 0 else "must be > 0"


def _limit(default, help):
    """A declared limit: its default, help text and range, read by grader.assignment.config (the manifest's
    [limits] table and docs/manifest.md are derived from these fields; nothing here reads them)."""
    return field(default=default, metadata={"help": help, "valid": _positive})


@dataclass(frozen=True)
class Limits:
    """Per-child limits; assignment.toml's [limits] table overrides these."""
    call_timeout: float = _limit(10.0, "seconds one call into student code may take")
    import_timeout: float = _limit(10.0, "seconds importing the submission may take")
    memory_mb: int = _limit(2048, "address space of a child, MB")
    cpu_seconds: int = _limit(120, "CPU seconds of a child")
    file_mb: int = _limit(16, "largest file a child may write, MB")
    disk_mb: int = _limit(256, "most a child may keep in its folder, MB")
    processes: int = _limit(64, "processes the sandbox account may run")


def child_env(workdir, mpl_config=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir,
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if mpl_config:
        env["MPLCONFIGDIR"] = mpl_config
    env.update({k: os.environ[k] for k in PASSED_THROUGH_ENV if k in os.environ})
    return env


def apply_rlimits(limits, own_uid):
    """Resource limits of the calling process; NPROC counts every process of the uid,
    so it is only safe for a uid of the sandbox's own. (`resource` is imported here: the
    declarations above are read on Windows too, by a student's local check.)"""
    import resource

    def setlimit(kind, value):
        resource.setrlimit(kind, (value, value))
    setlimit(resource.RLIMIT_CPU, limits.cpu_seconds)
    setlimit(resource.RLIMIT_AS, limits.memory_mb * 2**20)
    setlimit(resource.RLIMIT_FSIZE, limits.file_mb * 2**20)
    setlimit(resource.RLIMIT_CORE, 0)
    setlimit(resource.RLIMIT_NOFILE, 256)
    setlimit(resource.RLIMIT_MSGQUEUE, 0)
    if own_uid:
        setlimit(resource.RLIMIT_NPROC, limits.processes)
