"""The sandbox boundary: who the child runs as, what may cross, and limits."""
import io
import json
import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import IS_ROOT, REPO
from grader.sandbox import accounts, forkserver, landlock, readable, seccomp, server, workdirs
from grader.sandbox.errors import ChildTimeout, SandboxError as CheckFailure, SandboxUnavailable
from grader.sandbox.limits import Limits
from grader.sandbox.proxy import Sandbox, Sandboxes, Student, Workspace


def served(folder, limits=Limits(call_timeout=5, import_timeout=5)):
    return Workspace(str(folder), {"probe": "probe.py"}, limits)


@pytest.fixture
def probe(tmp_path):
    """A sandbox over a one-module submission written by the test."""
    made = []

    def make(source, limits=Limits(call_timeout=5, import_timeout=5)):
        folder = tmp_path / f"staged{len(made)}"
        folder.mkdir()
        (folder / "probe.py").write_text(source)
        sandbox = Sandbox(served(folder, limits))
        made.append(sandbox)
        return Student(sandbox)
    yield make
    for sandbox in made:
        sandbox.close()


@pytest.mark.skipif(not IS_ROOT, reason="user separation needs the grader to run as root")
def test_child_runs_as_unprivileged_user_without_groups(probe):
    student = probe("import os\ndef ids():\n    return [os.getuid(), os.geteuid(), os.getgid(), os.getgroups()]\n")
    uid, euid, gid, groups = student.probe.ids()
    assert uid != 0 and euid != 0 and gid != 0
    assert groups == [] or groups == [gid]


@pytest.mark.skipif(not IS_ROOT, reason="user separation needs the grader to run as root")
def test_child_cannot_read_the_graders_files(probe, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("expected values")
    os.chmod(secret, 0o600)
    student = probe(f"def peek():\n    return open({str(secret)!r}).read()\n")
    with pytest.raises(CheckFailure, match="PermissionError"):
        student.probe.peek()


def test_plain_data_round_trips(probe):
    student = probe("def echo(*a, **k):\n    return a, k\n")
    args, kwargs = student.probe.echo(np.arange(6.0).reshape(2, 3), [1, 2.5, None, "s"], flag=True)
    assert type(args[0]) is np.ndarray and args[0].shape == (2, 3)
    assert args[1] == [1, 2.5, None, "s"] and kwargs == {"flag": True}


def test_objects_stay_in_the_child_as_handles(probe):
    student = probe("class Box:\n    def __init__(self, v):\n        self.v = v\n"
                    "    def double(self):\n        return 2 * self.v\n")
    box = student.probe.Box(np.ones(3))
    assert repr(box) == "<Box object in your code>"
    np.testing.assert_array_equal(box.double(), 2 * np.ones(3))
    np.testing.assert_array_equal(student.fetch(box.v), np.ones(3))


@pytest.mark.parametrize("expression,kind", [
    ("np.array([object()], dtype=object)", "dtype object"),
    ("np.ones(2, dtype=complex)", "dtype complex128"),
    ("np.ones(3).view(type('Sub', (np.ndarray,), {}))", "Sub"),
    ("(x for x in range(3))", "generator")])
def test_non_plain_results_come_back_as_named_handles(probe, expression, kind):
    student = probe(f"import numpy as np\ndef make():\n    return {expression}\n")
    result = student.probe.make()
    assert kind in repr(result)


@pytest.mark.parametrize("dtype,shape,blob", [
    ("|O", [1], b"\x80\x04N."),           # an object array would be a pickle
    ("<U3", [1], b"a\0\0\0" * 3),         # strings are not numbers
    ("<f8", [3], b"\0" * 16),               # the shape promises more bytes than were sent
    ("<f8", [-2, -1], b"\0" * 16),          # a shape that only multiplies out
    (["<f8"], [2], b"\0" * 16)])
def test_arrays_that_are_not_plain_numbers_are_refused(dtype, shape, blob):
    header = json.dumps({"body": {"$nd": 0}, "arrays": [[dtype, shape]]}).encode()
    raw = struct.pack(">I", len(header)) + header + struct.pack(">Q", len(blob)) + blob
    with pytest.raises(server.WireError):
        server.read_message(io.BytesIO(raw))


def test_an_array_sent_twice_crosses_once_and_arrives_as_two():
    x = np.arange(3.0)
    stream = io.BytesIO()
    server.write_message(stream, [x, {"again": x}])
    assert stream.getvalue().count(x.tobytes()) == 1
    stream.seek(0)
    first, second = server.read_message(stream)
    first += 1  # code that changes one argument in place leaves the other alone
    np.testing.assert_array_equal(second["again"], x)


@pytest.mark.parametrize("array", [
    np.arange(6.0).reshape(2, 3).T, np.array(3.5), np.zeros((0, 4)), np.arange(4, dtype=">i2"),
    np.array([True, False])])
def test_arrays_cross_exactly_and_writable(array):
    stream = io.BytesIO()
    server.write_message(stream, {"x": array})
    stream.seek(0)
    back = server.read_message(stream)["x"]
    assert back.dtype == array.dtype and back.shape == array.shape and back.flags.writeable
    np.testing.assert_array_equal(back, array)


def test_infinite_loop_is_killed_at_the_timeout(probe):
    student = probe("def spin():\n    while True:\n        pass\n", Limits(call_timeout=1))
    with pytest.raises(CheckFailure, match="did not finish within 1 s"):
        student.probe.spin()


def test_exit_at_import_is_reported(probe):
    student = probe("import os\nos._exit(0)\n")
    with pytest.raises(CheckFailure, match="exited with status 0"):
        student.probe.anything()


def test_exception_shows_only_student_frames(probe):
    student = probe("def f():\n    return 1 / 0\n")
    with pytest.raises(CheckFailure) as info:
        student.probe.f()
    message = info.value.error["traceback"]
    assert "ZeroDivisionError" in message and 'File "probe.py", line 2' in message
    assert "serve" not in message and "/tmp/" not in message


def test_memory_limit_turns_a_bomb_into_an_error(probe):
    student = probe("def bomb():\n    return bytearray(8 * 2**30)\n", Limits(memory_mb=1024))
    with pytest.raises(CheckFailure, match="MemoryError"):
        student.probe.bomb()


def test_output_is_captured_per_call_and_bounded(probe):
    student = probe("def chatty(n):\n    print('x' * n)\n    return n\n")
    assert student.probe.chatty(10) == 10 and student.stdout == "x" * 10 + "\n"
    student = probe("def chatty(n):\n    print('x' * n)\n    print('the end')\n")
    student.probe.chatty(10**6)
    assert len(student.stdout) < 70_000 and "not kept" in student.stdout
    assert student.stdout.startswith("xxx") and student.stdout.endswith("the end\n")


def test_blas_runs_single_threaded_in_the_child(probe):
    student = probe("import os\ndef env():\n    return os.environ.get('OPENBLAS_NUM_THREADS')\n")
    assert student.probe.env() == "1"


landlock_only = pytest.mark.skipif(landlock.abi_version() < 6, reason="needs Landlock ABI 6 (signal scoping)")


@landlock_only
def test_child_cannot_read_the_reference_or_write_outside_its_folder(probe):
    reference = REPO / "reference" / "a1_softsign" / "models.py"
    student = probe("def read(p):\n    return open(p).read()\n"
                    "def write(p):\n    open(p, 'w').write('x')\n    return True\n")
    with pytest.raises(CheckFailure, match="PermissionError"):
        student.probe.read(str(reference))
    with pytest.raises(CheckFailure, match="PermissionError"):
        student.probe.write(str(REPO / "planted.py"))
    assert not (REPO / "planted.py").exists()
    assert student.probe.write("inside.txt") is True


@landlock_only
def test_child_cannot_connect_to_the_network(probe):
    server_socket = socket.socket()
    server_socket.bind(("127.0.0.1", 0))
    server_socket.listen()
    port = server_socket.getsockname()[1]
    student = probe("import socket\ndef connect():\n"
                    f"    return socket.create_connection(('127.0.0.1', {port}), timeout=2)\n")
    try:
        with pytest.raises(CheckFailure, match="PermissionError"):
            student.probe.connect()
    finally:
        server_socket.close()


@landlock_only
def test_child_cannot_signal_the_grader(probe):
    received = []
    previous = signal.signal(signal.SIGUSR1, lambda *_: received.append(1))
    student = probe(f"import os, signal\ndef poke():\n    os.kill({os.getpid()}, signal.SIGUSR1)\n")
    try:
        with pytest.raises(CheckFailure, match="PermissionError"):
            student.probe.poke()
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert received == []


def test_a_child_that_kills_the_fork_server_costs_nothing_later(probe):
    student = probe("import os, signal\ndef kill_parent():\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                    "def ok():\n    return 1\n")
    try:
        student.probe.kill_parent()
    except CheckFailure:
        pass  # the child may die with its parent, or answer first
    assert probe("def ok():\n    return 2\n").probe.ok() == 2


def test_batch_runs_in_order_in_one_round_trip(probe):
    student = probe("class Box:\n    v = 0\n    def get(self):\n        return self.v\n"
                    "    def both(self):\n        return self.v, [self.v]\n"
                    "    def fail(self):\n        raise ValueError('bad box')\n")
    box = student.probe.Box()
    batch = student.batch()
    for value in (1, 2, 3):
        batch.set(box, "v", value)
        batch.call(box.get)
    batch.call_first(box.both)
    batch.call_first(box.get)  # not a tuple: comes back whole
    assert batch.run() == [None, 1, None, 2, None, 3, 3, 3]
    failing = student.batch()
    failing.call(box.get)
    failing.call(box.fail)
    with pytest.raises(CheckFailure, match="bad box"):
        failing.run()


def _gone(pid, seconds=3.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                raise FileNotFoundError  # a zombie waiting for the fork server to reap it
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def test_next_checks_child_is_forked_ahead_and_survives_the_cleanup(tmp_path):
    (tmp_path / "probe.py").write_text("import os\ndef pid():\n    return os.getpid()\n")
    pool = Sandboxes(served(tmp_path))
    try:
        first = pool.take()
        assert pool.next is None  # nothing is known to import yet
        Student(first).probe.pid()
        pool.release(first)
        second = pool.take()
        assert second.imported == {"probe"} and pool.next is not None  # imported ahead; the third is on its way
        third, third_pid = pool.next, pool.next.child.pid
        Student(second).probe.pid()
        pool.release(second)  # its cleanup kills the sandbox account's processes, but not the third
        assert pool.take() is third and Student(third).probe.pid() == third_pid
        pool.release(third)
    finally:
        pool.close()


@pytest.mark.skipif(not IS_ROOT, reason="user separation needs the grader to run as root")
def test_staged_files_are_readable_but_no_child_can_change_them_for_the_next(tmp_path):
    (tmp_path / "probe.py").write_text("def read():\n    return open('data.bin').read()\n"
                                       "def spoil(name):\n    open(name, 'w').write('spoiled')\n"
                                       "def add():\n    open('mine.txt', 'w').write('ok')\n    return True\n")
    (tmp_path / "data.bin").write_text("data")
    for path in tmp_path.iterdir():
        os.chmod(path, 0o444)  # as intake leaves them
    sandbox = Sandbox(served(tmp_path, Limits()))
    try:
        student = Student(sandbox)
        assert student.probe.read() == "data" and student.probe.add() is True
        for name in ("data.bin", "probe.py"):
            with pytest.raises(CheckFailure, match="PermissionError"):
                student.probe.spoil(name)
    finally:
        sandbox.close()
    assert (tmp_path / "data.bin").read_text() == "data" and "spoil" in (tmp_path / "probe.py").read_text()


def test_a_child_forked_ahead_that_died_is_replaced_and_none_outlive_the_run(tmp_path):
    (tmp_path / "probe.py").write_text("def one():\n    return 1\n")
    pool = Sandboxes(served(tmp_path))
    sandbox = pool.take()
    Student(sandbox).probe.one()
    pool.release(sandbox)
    os.kill(pool.next.child.pid, signal.SIGKILL)  # as a hostile earlier check might
    sandbox = pool.take()
    assert Student(sandbox).probe.one() == 1
    pool.release(sandbox)
    left = pool.next.child.pid
    pool.close()
    assert _gone(left)


def test_checks_of_one_group_share_a_child_until_it_dies(tmp_path):
    (tmp_path / "probe.py").write_text("import os\ndef pid():\n    return os.getpid()\n"
                                       "def die():\n    os._exit(3)\n")
    pool = Sandboxes(served(tmp_path))
    pids = []

    def check(group, action="pid", seconds=None):
        sandbox = pool.take(group)
        try:
            assert sandbox.call_timeout == 5  # a time limit one check set does not carry over
            if seconds:
                Student(sandbox).time_limit(seconds)
            pids.append(getattr(Student(sandbox).probe, action)())
        except CheckFailure:
            pids.append(None)
        finally:
            pool.release(sandbox, group)
    try:
        check("answers", seconds=1)
        check("answers")
        check(None)
        check("answers")
        check("answers", "die")
        check("answers")
    finally:
        pool.close()
    assert pids[0] == pids[1] and len({pids[1], pids[2], pids[3]}) == 3
    assert pids[4] is None and pids[5] not in pids[:4]


@pytest.mark.skipif(not IS_ROOT, reason="user separation needs the grader to run as root")
def test_unreachable_interpreter_is_reported_before_grading(monkeypatch, tmp_path):
    hidden = tmp_path / "private" / "bin"
    hidden.mkdir(parents=True)
    os.chmod(tmp_path / "private", 0o700)
    with pytest.raises(SandboxUnavailable, match="cannot reach .*private"):
        forkserver.check_reachable(accounts.sandbox_user(), [str(hidden / "python")])


def test_a_sandbox_that_cannot_start_stops_grading_loudly(tmp_path):
    out = tmp_path / "results.json"
    program = ("import sys; sys.executable = '/nonexistent/python'; from grader.cli import main; "
               f"sys.exit(main(['grade', 'a1_softsign', {str(REPO / 'reference' / 'a1_softsign')!r}, "
               f"'-o', {str(out)!r}]))")
    proc = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "could not start" in proc.stderr
    assert "could not start" in json.loads(out.read_text())["output"]


def test_strings_arrive_interned_as_literals_would(probe):
    student = probe("def same(activation):\n    return activation is 'relu'\n")
    assert student.probe.same("relu") is True
    assert student.probe.same(activation="relu") is True


def test_a_child_that_stops_reading_costs_its_time_limit_and_no_more(probe):
    student = probe("import os, signal, threading, time\n"
                    "def stop_soon():\n"
                    "    threading.Thread(target=lambda: (time.sleep(0.2), os.kill(os.getpid(), signal.SIGSTOP)))"
                    ".start()\n"
                    "def take(x):\n    return x.shape\n", Limits(call_timeout=2, import_timeout=5))
    student.probe.stop_soon()
    time.sleep(0.5)
    with pytest.raises(ChildTimeout, match="stopped reading"):
        student.probe.take(np.zeros(2**20))  # 8 MB: far more than a pipe holds


def test_a_function_that_timed_out_fails_at_once_in_later_checks(tmp_path):
    (tmp_path / "probe.py").write_text("def spin():\n    while True:\n        pass\n")
    pool = Sandboxes(served(tmp_path, Limits(call_timeout=1, import_timeout=5)))
    try:
        first = pool.take()
        with pytest.raises(ChildTimeout) as was:
            Student(first).probe.spin()
        pool.release(first)
        second = pool.take()
        with pytest.raises(ChildTimeout) as again:
            Student(second).probe.spin()
        assert again.value is was.value  # the same verdict, given at once: nothing ran again
        pool.release(second)
    finally:
        pool.close()


@pytest.mark.parametrize("header", [
    b'{"body": ' + b"[" * 100000 + b"]" * 100000 + b', "arrays": []}',
    b'{"body": {"$nd": 0}, "arrays": [["<f8", [0, 1' + b"0" * 100 + b']]]}',
    b'{"body": 0, "arrays": ' + b'[["<f8", [1]], ' * 5000 + b'[]]}',
    b"[1, 2]", b"\xff\xfe", b'{"arrays": []}'])
def test_undecodable_messages_are_wire_errors(header):
    raw = struct.pack(">I", len(header)) + header + struct.pack(">Q", 0)
    with pytest.raises(server.WireError):
        server.read_message(io.BytesIO(raw))


def test_declared_array_bytes_are_refused_before_they_are_read():
    header = json.dumps({"body": 0, "arrays": [["<f8", [2**25]]] * 3}).encode()
    stream = io.BytesIO(struct.pack(">I", len(header)) + header + (struct.pack(">Q", 2**28) + bytes(16)) * 3)
    with pytest.raises(server.WireError, match="over the limit"):
        server.read_message(stream)


def test_the_view_leaves_out_withheld_data_and_unrequested_packages():
    view, listable = readable.sandbox_view(["sklearn"])
    assert not any("datasets/data" in p or "datasets/descr" in p for p in view)
    assert any(p.endswith("/sklearn/datasets/_base.py") for p in view)
    plain, _ = readable.sandbox_view()
    assert not any("/sklearn" in p or "/scipy" in p for p in plain)
    site_packages = os.path.dirname(np.__path__[0])
    assert site_packages not in plain and site_packages in listable


def test_child_folders_are_made_without_following_links(tmp_path):
    staging = tmp_path / "staging"
    (staging / "sub").mkdir(parents=True)
    (staging / "a.py").write_text("x = 1\n")
    (staging / "sub" / "b.txt").write_text("b")
    (staging / "link.py").symlink_to(REPO / "reference" / "a1_softsign" / "models.py")
    run = workdirs.RunFolder(accounts.sandbox_user())
    try:
        assert stat.S_IMODE(os.stat(run.path).st_mode) == 0o711
        folder = Path(run.child_folder(str(staging)))
        assert sorted(p.name for p in folder.rglob("*")) == ["a.py", "b.txt", "sub"]
        linked = os.stat(folder / "a.py").st_ino == os.stat(staging / "a.py").st_ino
        assert linked == IS_ROOT  # root's read-only files are linked; a normal user's are copied
        assert run.child_folder(str(staging)) != str(folder)
    finally:
        run.close()
    assert not os.path.exists(run.path)


def test_seccomp_denies_keyrings_ipc_and_foreign_sockets_in_a_forked_process():
    if not seccomp.supported():
        pytest.skip("the filter is built for x86_64")
    code = ("import ctypes, socket, sys\nfrom grader.sandbox import seccomp\nseccomp.install()\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "calls = [libc.syscall(250, 0, 0, 0, 0, 0), libc.shmget(0, 4096, 0o1000 | 0o600), "
            "libc.unshare(0x10000000)]\n"
            "errors = [ctypes.get_errno()]\n"
            "try:\n    socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "except PermissionError:\n    calls.append(-1)\n"
            "a, b = socket.socketpair()\nprint(calls)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[-1, -1, -1, -1]", out.stderr


root_only = pytest.mark.skipif(not IS_ROOT, reason="sandbox accounts exist only when the grader runs as root")


@root_only
def test_an_account_the_grader_did_not_mark_is_refused(monkeypatch):
    person = accounts.pwd.struct_passwd(("bpgrader0", "x", 1000, 1000, "A Real Person", "/home/p", "/bin/bash"))
    monkeypatch.setattr(accounts.pwd, "getpwnam", lambda name: person)
    with pytest.raises(SandboxUnavailable, match="did not create it"):
        accounts.setup_pool(1)
    monkeypatch.setattr(accounts, "_claimed", None)
    with pytest.raises(SandboxUnavailable, match="no sandbox account exists"):
        accounts.claim()


@root_only
def test_a_full_pool_waits_then_fails_in_one_line_and_creates_no_account(monkeypatch):
    monkeypatch.setattr(accounts, "_claimed", None)
    monkeypatch.setattr(accounts, "WAIT_SECONDS", 0.2)
    monkeypatch.setattr(accounts.subprocess, "run", lambda *a, **k: pytest.fail("an account was created"))
    folder = accounts._lock_folder()
    held = [accounts._try_lock(folder, name) for name in accounts.pool_names(64)]
    try:
        with pytest.raises(SandboxUnavailable, match="busy") as info:
            accounts.claim()
        assert "\n" not in str(info.value)
    finally:
        for fd in held:
            if fd is not None:
                os.close(fd)
        os.close(folder)


@root_only
def test_locks_never_follow_a_link_nor_truncate(tmp_path, monkeypatch):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    folder = tmp_path / "locks"
    folder.mkdir(mode=0o700)
    (folder / "someone.lock").symlink_to(victim)
    monkeypatch.setattr(accounts, "LOCK_DIR", str(folder))
    fd = accounts._lock_folder()
    try:
        with pytest.raises(OSError):
            accounts._try_lock(fd, "someone")
        again = accounts._try_lock(fd, "fresh")
        os.write(again, b"x")
        os.close(again)
        assert accounts._try_lock(fd, "fresh") is not None and (folder / "fresh.lock").read_text() == "x"
    finally:
        os.close(fd)
    assert victim.read_text() == "precious"
    os.chmod(folder, 0o777)
    with pytest.raises(SandboxUnavailable, match="mode 700"):
        accounts._lock_folder()


def _processes_named(comm):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == comm:
                found.append(int(pid))
        except OSError:
            pass
    return found


@root_only
def test_a_grader_killed_from_outside_leaves_nothing_the_next_one_does_not_sweep(tmp_path):
    comm = f"bp-left-{os.getpid() % 10000}"
    (tmp_path / "models.py").write_text(
        (REPO / "reference" / "a1_softsign" / "models.py").read_text() +
        f"\nimport ctypes, os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        ctypes.CDLL(None).prctl(15, {comm.encode()!r}, 0, 0, 0)\n        time.sleep(300)\n    os._exit(0)\n"
        "time.sleep(2)\n")  # the grader is still at work when the test kills it
    (tmp_path / "util.py").write_text((REPO / "reference" / "a1_softsign" / "util.py").read_text())
    grader = subprocess.Popen([sys.executable, "-m", "grader", "grade", "a1_softsign", str(tmp_path),
                               "-o", str(tmp_path / "results.json")], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _processes_named(comm) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes_named(comm), "the daemon never started"
    finally:
        grader.kill()
        grader.wait()
    left = _processes_named(comm)
    assert left, "nothing was left behind: the test shows nothing"
    subprocess.run([sys.executable, "-c", "from grader.sandbox import accounts; accounts.claim()"],
                   cwd=REPO, check=True, timeout=180)
    assert all(_gone(pid) for pid in left)


def test_a_run_that_overruns_everything_ends_with_valid_results(tmp_path):
    out = tmp_path / "results.json"
    source = (REPO / "reference" / "a1_softsign" / "models.py").read_text().replace(
        "return 1.0 / (1.0 + np.abs(z)) ** 2",
        "import time\n    time.sleep(30)\n    return 1.0 / (1.0 + np.abs(z)) ** 2")
    (tmp_path / "models.py").write_text(source)
    (tmp_path / "util.py").write_text((REPO / "reference" / "a1_softsign" / "util.py").read_text())
    program = ("import sys; import grader.grading.grade as g; from grader.assignment.config import load_assignment; "
               "g.WATCHDOG_MARGIN = 4.0 - load_assignment('a1_softsign').time_budget; "
               "from grader.cli import main; "
               f"sys.exit(main(['grade', 'a1_softsign', {str(tmp_path)!r}, '-o', {str(out)!r}]))")
    proc = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())
    assert any("overran its time limit" in t["output"] for t in results["tests"])


STUCK_IN_C = """
import itertools, signal, sys
from grader.grading import deadline, results
out = sys.argv[1]
tests = [{"name": "done", "number": "1", "score": 1, "max_score": 1, "status": "passed", "output": ""},
         {"name": "running", "number": "2", "score": 0, "max_score": 2, "status": "failed", "output": results.PENDING}]
results.write_atomic(out, {"score": 1, "output": "", "tests": tests})
signal.signal(deadline.ASK, lambda *_: sys.exit(3))  # a handler that cannot run while C holds the interpreter
deadline.start(1.0, out, ask=True)
sum(itertools.repeat(1, 10**15))  # one call in C, for days: no bytecode, no signal check
"""


def test_a_grader_stuck_in_one_call_in_c_is_ended_by_its_deadline_with_valid_results(tmp_path):
    """What a thread could not do (issue 23): the watcher asks, then freezes, marks the
    unfinished checks and kills the grader; the process ends (generous bound, no timing)."""
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-c", STUCK_IN_C, str(out)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "grading stopped: it overran its time limit" in proc.stderr
    results = json.loads(out.read_text())
    done, running = results["tests"]
    assert done["score"] == 1 and results["score"] == 1
    assert "overran its time limit" in running["output"] and "submission-timeout" in running["tags"]


def test_a_process_forked_by_student_code_never_answers_for_the_child(probe):
    student = probe("import os\ndef split():\n    os.fork()\n    return os.getpid()\n"
                    "def pid():\n    return os.getpid()\n")
    first = student.probe.split()
    assert [student.probe.pid() for _ in range(20)] == [first] * 20


def test_a_failing_call_names_its_small_arguments(tmp_path):
    from grader.failures import CheckFailure as Verdict
    from grader.grading.adapter import translator
    from grader.submission.intake import Staged
    (tmp_path / "probe.py").write_text("def build(x, activation='relu'):\n"
                                       "    raise ValueError('Unknown activation type')\n")
    sandbox = Sandbox(served(tmp_path), translator(Staged(tmp_path, {"probe": "probe.py"}), print))
    try:
        with pytest.raises(Verdict) as info:
            Student(sandbox).probe.build(np.zeros(3), activation="tanh")
        assert "build(array(3,), activation='tanh')" in info.value.message
        assert "Unknown activation type" in info.value.message
    finally:
        sandbox.close()


@root_only
def test_packages_the_account_cannot_reach_are_linked_into_the_run(tmp_path, monkeypatch):
    home = os.path.dirname(np.__path__[0])  # as if the clone were under a mode-700 /root
    monkeypatch.setattr(forkserver, "closed_folder", lambda user, path: Path(path) if path == home else None)
    (tmp_path / "probe.py").write_text("import numpy\ndef where():\n    return numpy.__file__\n")
    sandbox = Sandbox(served(tmp_path, Limits(call_timeout=4.5)))  # limits of its own: a fork server of its own
    try:
        where = Student(sandbox).probe.where()
        assert where.startswith(tempfile.gettempdir()) and "/site-packages/numpy/" in where
    finally:
        sandbox.close()


def test_matplotlib_is_preloaded_with_agg_only_when_the_submission_imports_it_at_the_top(tmp_path):
    (tmp_path / "probe.py").write_text("import matplotlib.pyplot as plt\n"
                                       "def backend():\n    return plt.get_backend()\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "probe.py").write_text("import numpy as np\n\ndef plot():\n"
                                                 "    import matplotlib.pyplot as plt\n"
                                                 "    from sklearn import datasets\n")
    assert forkserver.preloads(tmp_path / "plain") == []  # imports inside a function: paid by the check that calls it
    preload = tuple(forkserver.preloads(tmp_path))
    assert "matplotlib.pyplot" in preload
    sandbox = Sandbox(Workspace(str(tmp_path), {"probe": "probe.py"}, Limits(), preload=preload))
    try:
        assert Student(sandbox).probe.backend().lower() == "agg"
    finally:
        sandbox.close()


@root_only
def test_the_font_list_is_kept_for_later_runs_only_from_a_fresh_fork_server(tmp_path):
    run = workdirs.RunFolder(accounts.sandbox_user())
    try:
        with open(os.path.join(run.mpl_config, "fontlist-test.json"), "w") as f:
            f.write("{}")
        run.keep_font_cache()
        assert os.path.exists(os.path.join(workdirs.FONT_CACHE, "fontlist-test.json"))
        later = workdirs.RunFolder(accounts.sandbox_user())
        later.seed_font_cache()
        assert os.path.exists(os.path.join(later.mpl_config, "fontlist-test.json"))
        later.close()
    finally:
        run.close()
        os.unlink(os.path.join(workdirs.FONT_CACHE, "fontlist-test.json"))


def test_an_import_error_is_noted_once_and_each_item_says_so_in_a_line(tmp_path):
    from grader.failures import CheckFailure as Verdict
    from grader.grading.adapter import translator
    from grader.submission.intake import Staged
    (tmp_path / "probe.py").write_text("import numpy as np\n\ndef f(:\n    pass\n")
    notes = []
    translate = translator(Staged(tmp_path, {"probe": "probe.py"}), notes.append)
    messages = []
    for _ in range(3):
        sandbox = Sandbox(served(tmp_path), translate)
        try:
            with pytest.raises(Verdict) as info:
                Student(sandbox).probe.f()
            messages.append(info.value.message)
        finally:
            sandbox.close()
    assert len(notes) == 1 and "line 3" in notes[0] and "SyntaxError" in notes[0]
    assert len(set(messages)) == 1 and "line 3" not in messages[0]
    assert messages[0].startswith("Importing probe.py failed (SyntaxError: invalid syntax)")
    assert "at the top" in messages[0]



@pytest.mark.parametrize("writer, limits", [
    ("import os, time\ni = 0\nwhile True:\n    with open(f'part{i}', 'wb') as f:\n        f.write(b'x' * 2**22)\n"
     "    i += 1\n    time.sleep(0.005)\n", Limits(call_timeout=20, import_timeout=20, disk_mb=32)),
    ("import os\ni = 0\nwhile True:\n    open(f'empty{i}', 'w').close()\n    i += 1\n",
     Limits(call_timeout=20, import_timeout=20)),
])
def test_a_child_that_fills_its_folder_is_stopped_before_its_time_limit(probe, writer, limits):
    student = probe(writer, limits)   # the message says which limit stopped it
    with pytest.raises(CheckFailure, match=r"filled its folder past the disk limits \(\d+ MB, 20000 files"):
        student.probe.anything()


def test_run_folders_left_by_killed_graders_are_swept_and_live_ones_kept(tmp_path):
    import fcntl

    from grader.sandbox.workdirs import DIR_FLAGS, STALE_AFTER, sweep_stale_runs
    long_ago = time.time() - 2 * STALE_AFTER
    for name in ("grader-run-dead", "grader-run-live", "grader-run-young", "not-ours"):
        (tmp_path / name / "child-1").mkdir(parents=True)
        (tmp_path / name / "child-1" / "big.bin").write_bytes(b"x" * 1000)
    for name in ("grader-run-dead", "grader-run-live", "not-ours"):
        os.utime(tmp_path / name, (long_ago, long_ago))
    live = os.open(tmp_path / "grader-run-live", DIR_FLAGS)
    fcntl.flock(live, fcntl.LOCK_EX)
    try:
        sweep_stale_runs(str(tmp_path))
    finally:
        os.close(live)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grader-run-live", "grader-run-young", "not-ours"]


def test_a_folder_that_cannot_be_measured_counts_as_full_and_is_still_removed(tmp_path):
    """Nested past what os.walk and shutil.rmtree can recurse into before Python 3.12."""
    from grader.sandbox.channel import folder_mb
    from grader.sandbox.workdirs import remove_tree
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "f").write_bytes(b"x" * 10000)
    assert 0 < folder_mb(str(tmp_path / "small")) < 1
    fd = os.open(tmp_path, os.O_DIRECTORY)
    for _ in range(1500):
        os.mkdir("d", dir_fd=fd)
        fd, parent = os.open("d", os.O_DIRECTORY, dir_fd=fd), fd
        os.close(parent)
    os.close(fd)
    assert folder_mb(str(tmp_path)) in (float("inf"), folder_mb(str(tmp_path / "small")))
    if sys.version_info < (3, 12):
        assert folder_mb(str(tmp_path)) == float("inf")
    remove_tree(str(tmp_path / "d"))  # what the grader removes a child's folder with, at any depth
    assert not (tmp_path / "d").exists()


def test_an_installed_package_not_offered_imports_as_if_absent(probe):
    """Whatever else the grader's environment holds (pytest here, an instructor's extras) is, to
    student code and the packages it imports, simply not installed: an optional import falls
    back (numpy.f2py's `try: import charset_normalizer` once crashed a grade on a file Landlock
    refused), and the error names the module."""
    student = probe("try:\n    import pytest\nexcept ImportError as error:\n    pytest = None\n    why = error\n"
                    "def fell_back():\n    return [pytest is None, type(why).__name__, str(why)]\n")
    assert student.probe.fell_back() == [True, "ModuleNotFoundError", "No module named 'pytest'"]
    with pytest.raises(CheckFailure) as info:
        probe("import pytest.mark\n").probe.fell_back()
    assert "ModuleNotFoundError: No module named 'pytest'" in info.value.detail
