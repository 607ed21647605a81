"""Per-child limits and the environment a sandboxed process starts with."""
import os
import resource
from dataclasses import dataclass

PASSED_THROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Limits:
    """Per-child limits; assignment.toml's [limits] table overrides these."""
    call_timeout: float = 10.0
    import_timeout: float = 10.0
    memory_mb: int = 2048
    cpu_seconds: int = 120
    file_mb: int = 16
    disk_mb: int = 256
    processes: int = 64


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
    so it is only safe for a uid of the sandbox's own."""
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
