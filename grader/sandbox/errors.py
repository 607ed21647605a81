"""What the sandbox raises. It knows nothing of grading: an adapter outside
(grader/grading/adapter.py) turns these into verdicts on a submission."""


class SandboxError(Exception):
    """Something went wrong on the sandbox's side of a call."""


class SandboxUnavailable(SandboxError):
    """The sandbox cannot run here at all: a fault of the set-up, not of a submission."""


class ModuleMissing(SandboxError):
    """A module the caller asked for is not in the folder the sandbox serves."""

    def __init__(self, module):
        super().__init__(module)
        self.module = module


class ImportFailed(SandboxError):
    """Importing a module in the child raised; `detail` is the child's traceback."""

    def __init__(self, module, detail):
        super().__init__(f"importing {module} failed")
        self.module, self.detail = module, detail


class CallFailed(SandboxError):
    """Code in the child raised; `error` has its type, message and traceback."""

    def __init__(self, name, call, error):
        super().__init__(f"{call} raised {error['type']}: {error['message']}")
        self.name, self.call, self.error = name, call, error


class ChildGone(SandboxError):
    """The child ended, overran its time, or broke the channel; `call` is what it was doing."""

    def __init__(self, how, call="", printed=""):
        super().__init__(how)
        self.how, self.call, self.printed = how, call, printed


class ChildTimeout(ChildGone):
    pass
