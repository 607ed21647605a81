"""The sandbox side: a fork server (the zygote) and the children it forks,
each of which imports a submission and serves calls on it.

This file runs in two places. The grader imports it for the wire format
(`read_message`, `pack_message`, `encode`, `decode`), and the sandbox process
runs its *source text* (with landlock.py's, see forkserver.py) under
`python -I -S -c`, so it needs no read access to the grader's files. It may
therefore import only the standard library, numpy and landlock.

Wire format, both directions: a 4-byte big-endian length and a JSON header,
then one 8-byte length and the raw bytes of each array the header lists by
dtype and shape. Only boolean, integer and float dtypes are accepted, so
nothing is ever unpickled; a raw buffer costs far less to read than `.npy`.
A message may list at most MAX_ARRAYS arrays of MAX_MESSAGE_BYTES in all,
checked before their bytes are read; anything that does not decode (deep
nesting, absurd shapes, bad JSON) is a WireError. A reply, read with
`bounded`, is also refused when it would grow once decoded: past
MAX_CONTAINERS JSON objects and lists (each costs the grader some hundred
bytes for a byte or two of header), or when its arrays and the copies made
for references after the first would hold over MAX_MESSAGE_BYTES.
"""
import ctypes
import gc
import io
import json
import math
import os
import re
import resource
import select
import socket
import struct
import sys
import traceback
from collections import Counter

import numpy as np
import numpy.random  # noqa: F401  numpy 2 loads it lazily; import once here, not in every child

try:
    from . import landlock
except ImportError:  # run as source text: the launcher put landlock in sys.modules
    import landlock

MAX_HEADER_BYTES = 16 * 2**20
MAX_ARRAY_BYTES = 256 * 2**20
MAX_MESSAGE_BYTES = 512 * 2**20
MAX_ARRAYS = 4096
MAX_DIMENSIONS = 32
MAX_CONTAINERS = 2**18  # `{` and `[` in a reply's header, counted in strings too: far over any real reply
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36
PLAIN_DTYPE = re.compile(r"[<>|][biuf][0-9]{1,2}")
MAX_CAPTURED_OUTPUT = 64 * 1024
PLAIN_SCALARS = (bool, int, float, str, type(None))


class WireError(ValueError):
    """The other side sent something that is not a valid message."""


def _read_exact(stream, n):
    data = stream.read(n)
    if data is None or len(data) < n:
        raise EOFError("the other side closed the channel")
    return data


def read_message(stream, on_object=None, intern=False, bounded=False):
    """Read one message; `on_object(tag, value)` decodes `$ref`/`$handle` tags.
    `intern`: strings come back interned, as literals in the reader's own code would be.
    `bounded`: refuse what decoding would grow past the limits (a child's reply; the grader's
    own requests repeat their inputs on purpose, and the child's memory limit bounds them)."""
    (size,) = struct.unpack(">I", _read_exact(stream, 4))
    if size > MAX_HEADER_BYTES:
        raise WireError(f"message header of {size} bytes is too large")
    raw = _read_exact(stream, size)
    if bounded and raw.count(b"{") + raw.count(b"[") > MAX_CONTAINERS:
        raise WireError(f"message header holds over {MAX_CONTAINERS} objects and lists")
    try:
        header = json.loads(raw.decode("utf-8"))
        listed = header["arrays"]
        body = header["body"]
    except (ValueError, RecursionError, KeyError, TypeError) as exc:
        raise WireError(f"message header does not decode: {type(exc).__name__}") from None
    if not isinstance(listed, list) or len(listed) > MAX_ARRAYS:
        raise WireError("message lists too many arrays")
    entries = [_array_entry(entry) for entry in listed]
    sizes = [math.prod(shape) * dtype.itemsize for dtype, shape in entries]
    if any(size > MAX_ARRAY_BYTES for size in sizes) or sum(sizes) > MAX_MESSAGE_BYTES:
        raise WireError(f"arrays of {sum(sizes)} bytes are over the limit")  # refused before reading them
    arrays = []
    for (dtype, shape), size in zip(entries, sizes):
        (length,) = struct.unpack(">Q", _read_exact(stream, 8))
        if length != size:
            raise WireError(f"array of shape {shape} does not fit its {length} bytes")
        buffer = bytearray(_read_exact(stream, length))  # a bytearray, so the array is writable
        arrays.append(np.frombuffer(buffer, dtype).reshape(shape))
    try:
        return decode(body, arrays, on_object, intern, MAX_MESSAGE_BYTES if bounded else None)
    except (RecursionError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"message body does not decode: {type(exc).__name__}") from None


def _array_entry(entry):
    """(dtype, shape) of one listed array, refusing what is not plain numbers of a sane shape."""
    if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[1], list):
        raise WireError(f"array entry {str(entry)[:80]} is malformed")
    dtype, shape = _plain_dtype(entry[0]), entry[1]
    if len(shape) > MAX_DIMENSIONS or not all(type(n) is int and 0 <= n < 2**31 for n in shape):
        raise WireError(f"array shape {str(shape)[:80]} is not a sane shape")
    return dtype, shape


def _plain_dtype(text):
    if not isinstance(text, str) or not PLAIN_DTYPE.fullmatch(text):
        raise WireError(f"array dtype {text!r} is not a plain number type")
    try:
        return np.dtype(text)
    except TypeError:
        raise WireError(f"array dtype {text!r} is not a plain number type") from None


def write_message(stream, body, on_object=None):
    """Write one message; `on_object(value)` encodes what is not plain data."""
    stream.write(pack_message(body, on_object))
    stream.flush()


def pack_message(body, on_object=None):
    """One message as bytes."""
    arrays = {}
    header = {"body": encode(body, arrays, on_object)}
    header["arrays"] = [[a.dtype.str, list(a.shape)] for _, a in arrays.values()]
    raw = json.dumps(header).encode("utf-8")
    parts = [struct.pack(">I", len(raw)), raw]
    for _, array in arrays.values():
        blob = array.tobytes()  # C order, whatever the array's layout
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


def encode(value, arrays, on_object=None):
    """Turn plain data into JSON-able structure; arrays go to `arrays` (id -> (index, array)),
    each once however often it appears: finite differences send the same inputs many times."""
    kind = type(value)
    if kind in PLAIN_SCALARS:
        return value
    if kind is np.ndarray and value.dtype.kind in "biuf":
        index, _ = arrays.setdefault(id(value), (len(arrays), value))
        return {"$nd": index}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in "biuf":
        return value.item()
    if kind in (list, tuple):
        tag = "$list" if kind is list else "$tuple"
        return {tag: [encode(v, arrays, on_object) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"$dict": {k: encode(v, arrays, on_object) for k, v in value.items()}}
    if on_object is None:
        raise WireError(f"cannot send a {kind.__name__} object")
    return on_object(value)


def decode(value, arrays, on_object=None, intern=False, most_bytes=None):
    """The structure `encode` made; an array that appears again comes back as a copy,
    so code that changes one argument in place cannot change another. `most_bytes`: a
    WireError, before any copy is made, when the arrays and their copies would pass it."""
    if most_bytes is not None and _bytes_with_copies(value, arrays) > most_bytes:
        raise WireError(f"the message's arrays, copied for each reference, pass {most_bytes} bytes")
    used = set()

    def walk(value):
        if not isinstance(value, dict):
            if isinstance(value, list):
                raise WireError("bare JSON list in message")
            return sys.intern(value) if intern and type(value) is str else value
        if "$nd" in value:
            index = value["$nd"]
            if type(index) is not int or not 0 <= index < len(arrays):
                raise WireError(f"no array {index!r} in message")
            if index in used:
                return arrays[index].copy()
            used.add(index)
            return arrays[index]
        if "$list" in value:
            return [walk(v) for v in value["$list"]]
        if "$tuple" in value:
            return tuple(walk(v) for v in value["$tuple"])
        if "$dict" in value:
            return {(sys.intern(k) if intern else k): walk(v) for k, v in value["$dict"].items()}
        if on_object is None or len(value) != 1:
            raise WireError(f"unexpected tag {sorted(value)}")
        (tag, payload), = value.items()
        return on_object(tag, payload)
    return walk(value)


def _bytes_with_copies(body, arrays):
    """What the arrays of a message hold once decoded: each once, plus a copy for every
    reference after its first, wherever it sits (a handle's payload counts too)."""
    references, stack = Counter(), [body]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict) and type(value.get("$nd")) is int and 0 <= value["$nd"] < len(arrays):
            references[value["$nd"]] += 1
        elif isinstance(value, dict):
            stack.extend(value.values())
    return sum(array.nbytes for array in arrays) + sum(arrays[i].nbytes * (n - 1) for i, n in references.items())


def check_reply(reply):
    """`reply` if it has the shape `Server.serve` gives replies, else WireError:
    code in the child can write to the reply channel itself."""
    good = isinstance(reply, dict) and type(reply.get("ok")) is bool and isinstance(reply.get("stdout", ""), str)
    if good and reply["ok"]:
        good = "value" in reply
    elif good:
        error = reply.get("error")
        good = isinstance(error, dict) and all(isinstance(error.get(k), str) for k in ("type", "message", "traceback"))
    if not good:
        raise WireError("the reply does not have the shape of one")
    return reply


class BoundedText(io.TextIOBase):
    """A stdout stand-in keeping the first and the last MAX_CAPTURED_OUTPUT/2 characters,
    so a flood of noise cannot push out what a call prints at its end."""

    def __init__(self):
        self.head, self.tail, self.dropped = "", "", 0
        self.half = MAX_CAPTURED_OUTPUT // 2

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.half - len(self.head)
        self.head += text[:max(room, 0)]
        self.tail += text[max(room, 0):]
        if len(self.tail) > 2 * self.half:
            self.dropped += len(self.tail) - self.half
            self.tail = self.tail[-self.half:]
        return len(text)

    def getvalue(self):
        if len(self.tail) > self.half:
            self.dropped += len(self.tail) - self.half
            self.tail = self.tail[-self.half:]
        note = f"\n[... {self.dropped} characters not kept ...]\n" if self.dropped else ""
        return self.head + note + self.tail


class Server:
    """Holds the submission's modules and the objects handed out as handles."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.handles = {}

    def resolve(self, ref):
        base, path = ref["base"], ref["path"]
        if base[0] == "module":
            obj = __import__(base[1], fromlist=["_"])
        else:
            obj = self.handles[base[1]]
        for name in path:
            obj = getattr(obj, name)
        return obj

    def to_wire(self, value):
        handle = len(self.handles) + 1
        self.handles[handle] = value
        name = type(value).__name__
        if isinstance(value, np.ndarray):
            try:
                name += f" (dtype {value.dtype})"
            except Exception:  # noqa: BLE001  a student's array subclass may break even this
                pass
        return {"$handle": {"id": handle, "type": name}}

    def from_wire(self, tag, payload):
        if tag != "$ref":
            raise WireError(f"unexpected tag {tag}")
        return self.resolve(payload)

    def run(self, request):
        op = request["op"]
        if op == "import":
            for name in request["modules"]:
                __import__(name)
            return None
        if op == "seed":
            np.random.seed(request["seed"])
            return None
        if op == "many":  # several requests in one round trip; the first error stops the batch
            return [self.run(r) for r in request["requests"]]
        target = self.resolve(request["target"])
        if op == "call":
            result = target(*request["args"], **request["kwargs"])
            if request.get("first") and type(result) in (tuple, list) and result:
                return result[0]  # e.g. only the loss of (loss, grads): finite differences need no more
            return result
        if op == "get":
            return target
        if op == "set":
            setattr(target, request["name"], request["value"])
            return None
        raise WireError(f"unknown op {op!r}")

    def student_traceback(self, exc):
        """Only the frames from the submission's own files."""
        prefix = self.workdir + os.sep
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(prefix)]
        try:
            text = "".join(traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc))
        except Exception:  # noqa: BLE001  a student's exception may fail to print
            text = f"{type(exc).__name__} (its message could not be printed)\n"
        return text.replace(prefix, "")

    def serve(self, requests, responses):
        me = os.getpid()
        while True:
            try:
                request = read_message(requests, self.from_wire, intern=True)
            except EOFError:
                return
            captured = BoundedText()
            sys.stdout = captured
            try:
                result = self.run(request)
                reply = {"ok": True, "value": result}
            except BaseException as exc:  # noqa: BLE001  student code may raise anything, even SystemExit
                reply = {"ok": False, "error": {
                    "type": type(exc).__name__,
                    "message": _safe_str(exc),
                    "traceback": self.student_traceback(exc)}}
            finally:
                sys.stdout = sys.__stdout__
            if os.getpid() != me:
                os._exit(0)  # a process the student's code forked returned here: it must not answer
            reply["stdout"] = captured.getvalue()
            try:
                write_message(responses, reply, self.to_wire)
            except Exception as exc:  # noqa: BLE001  any result that cannot be sent is reported as such
                write_message(responses, {"ok": False, "stdout": reply["stdout"], "error": {
                    "type": "UnsendableResult", "message": _safe_str(exc), "traceback": ""}})


def _safe_str(exc):
    try:
        return str(exc)[:2000]
    except Exception:  # noqa: BLE001  a student's __str__ may raise anything
        return "<the exception could not be printed>"


class NotOffered:
    """Imports of installed packages the sandbox does not offer fail as if they were not
    installed, so a package's optional import falls back as on a machine without them. A
    module of the submission's own folder by the same name still imports."""

    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.names and not any(os.path.exists(os.path.join(os.getcwd(), top + end)) for end in ("", ".py")):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def zygote(config):
    """Fork a fresh child per request; numpy is already imported, so a fork is cheap.

    Requests arrive on a SOCK_SEQPACKET socket with the child's three fds
    (requests, responses, log); replies say which pid was forked and, later,
    how each child exited. `config["preload"]` names modules the submission
    mentions that are slow to import (matplotlib.pyplot): imported once here.
    """
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # nobody of the sandbox account can ptrace or read us
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans come back to us to be reaped
    sys.meta_path.insert(0, NotOffered(config.get("not_offered", ())))
    for name in config["preload"]:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001  only a preload: the child's own import reports it
            pass  # the child imports it again and reports what went wrong
    control = socket.socket(fileno=config["control_fd"])
    gc.freeze()  # children's collections leave the server's objects alone, so those pages stay shared
    control.send(b'{"ready": true}')
    while True:
        _reap(control)
        if not select.select([control], [], [], 0.05)[0]:
            continue
        try:
            message, fds, _, _ = socket.recv_fds(control, 65536, 3)
        except OSError:
            return
        if not message:
            return  # the grader has gone
        request = json.loads(message)
        pid = _fork(control)
        if pid == 0:
            control.close()
            _run_child(request, fds, config)
        for fd in fds:
            os.close(fd)
        reply = {"forked": pid} if pid else {"error": "the sandbox account has too many processes"}
        control.send(json.dumps(reply).encode())


def _fork(control, attempts=200):
    """fork(), waiting a little while killed processes of an earlier check are reaped."""
    for _ in range(attempts):
        try:
            return os.fork()
        except BlockingIOError:
            _reap(control)
            select.select([], [], [], 0.01)
    return None


def _reap(control):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        control.send(json.dumps({"exited": pid, "code": os.waitstatus_to_exitcode(status)}).encode())


def _run_child(request, fds, config):
    """Confine the new child to its own folder, then serve: all before any student code."""
    try:
        requests_fd, responses_fd, log_fd = fds
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # SIGKILL when the fork server dies
        if os.getppid() != config["server_pid"]:
            return  # it died between fork and prctl
        os.setsid()  # its own process group, so the grader can kill it and all it starts
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        resource.setrlimit(resource.RLIMIT_CPU, (request["cpu_seconds"], request["cpu_seconds"]))
        workdir = os.path.realpath(request["workdir"])
        if config["landlock"]:
            # a domain of its own, nested in ours
            landlock.confine(workdir, config["child_readable"], config["child_listable"])
        os.environ.update(HOME=workdir, TMPDIR=workdir)
        os.chdir(workdir)
        sys.path.insert(0, workdir)
        Server(workdir).serve(os.fdopen(requests_fd, "rb"), os.fdopen(responses_fd, "wb"))
    finally:
        os._exit(0)


if __name__ == "__main__":
    zygote(dict(json.loads(sys.argv[1]), server_pid=os.getpid()))
