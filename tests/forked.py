"""newsbot's own processes for the tests, forked from one interpreter that has imported newsbot already.

A `python -m bot …` process spends its first 0.4-2 CPU-s importing: scikit-learn for a build 1.7 s,
python-telegram-bot and aiohttp 0.8 s (`python -X importtime`). The suite starts about fifty such
processes, so on two cores a good part of its time was the same imports again and again. Here a
`Popen` (and `run`) does what `subprocess`'s do, but a `[sys.executable, "-m", module, …]` or
`[sys.executable, "-c", code, …]` process is forked from a "zygote": one interpreter for the whole test
run that imported newsbot and its libraries once, and does nothing else. What the test gets is a
process of its own, as from an exec: its own pid, arguments, environment, working folder, standard
streams (pipes or a terminal), signals and exit status, running the same module or code through
`runpy` as `python -m` does. Only the interpreter's start is shared. The builds and merges newsbot
starts in processes of their own (bot/reindex.py, retrieval/merge.py) are forked the same way, from
the tests and from the processes they start (`launch_builds`).

Where that start is what a test checks, it uses `subprocess` itself: the console in a real terminal,
the installed `newsbot` command, the import-time tests of test_startup, the README's commands. So does
any process whose environment would change how the interpreter starts (a PYTHON* or locale variable
other than the zygote's), and every process when NEWSBOT_TEST_FORK=0 is set, which runs the whole
suite with an exec for every process (for comparison: same results, more CPU).

The zygote is started by pytest's main process (`start`, from conftest) and stopped at its end; the
test workers reach it through a Unix socket named in NEWSBOT_TEST_ZYGOTE. It reaps the processes it
forks and sends each one's wait status and CPU through a pipe that the test's `Popen` waits on.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = "NEWSBOT_TEST_ZYGOTE"
_HELD = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}
_STATUS = struct.Struct("!idd")  # wait status, user and system CPU-s of the process
_cpu_lock = threading.Lock()
_children_cpu = 0.0


def children_cpu() -> float:
    """CPU-s of the forked processes this process waited for (benchmarks/suite_cpu.py adds them to
    RUSAGE_CHILDREN, which does not see them: they are the zygote's children)."""
    return _children_cpu


def _startup_env(env) -> dict[str, str]:
    """The variables that change how an interpreter starts: the zygote's must be the process's."""
    return {k: v for k, v in env.items() if k.startswith("PYTHON") or k.startswith("LC_") or k in ("LANG", "LANGUAGE")}


def _request(args, executable, preexec_fn, pass_fds, cwd, env, shell, gid, gids, uid, umask, process_group):
    """What the zygote needs to run `args`, or None where an exec is needed."""
    address = os.environ.get(ADDRESS)
    if not address or os.environ.get("NEWSBOT_TEST_FORK") == "0" or shell or executable or preexec_fn \
            or pass_fds or gid is not None or gids is not None or uid is not None or umask >= 0 \
            or process_group != -1 or isinstance(args, (str, bytes, os.PathLike)):
        return None
    args = [os.fsdecode(a) for a in args]
    if len(args) < 3 or args[0] != sys.executable or args[1] not in ("-m", "-c"):
        return None
    env = dict(os.environ if env is None else {os.fsdecode(k): os.fsdecode(v) for k, v in env.items()})
    cwd = os.fsdecode(cwd) if cwd is not None else os.getcwd()
    if not os.path.isdir(cwd):
        return None  # for subprocess's own error
    return address, {"how": args[1], "what": args[2], "argv": args[3:], "cwd": cwd, "env": env}


def _zygote_env() -> dict[str, str]:
    from tests.conftest import run_env

    return run_env()


class Popen(subprocess.Popen):
    """subprocess.Popen, forking newsbot's processes from the zygote (see the module's docstring)."""

    def __init__(self, *args, terminal: bool = False, fresh: bool = False, **kwargs):
        """`terminal`: the standard streams are a pseudo-terminal's follower side, which becomes the
        process's controlling terminal in a session of its own (as `pty.fork` gives): Ctrl-C typed
        there reaches it as SIGINT. `fresh`: an exec, always (for a test of the interpreter's start)."""
        self._status_fd, self._terminal, self._fresh = None, terminal, fresh
        if terminal:
            kwargs["start_new_session"] = True
        super().__init__(*args, **kwargs)

    def _execute_child(self, args, executable, preexec_fn, close_fds, pass_fds, cwd, env, startupinfo,
                       creationflags, shell, p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite,
                       restore_signals, gid, gids, uid, umask, start_new_session, process_group):
        request = _request(args, executable, preexec_fn, pass_fds, cwd, env, shell, gid, gids, uid, umask,
                           process_group)
        started = None
        if request is not None and not self._fresh:
            address, job = request
            job["new_session"], job["terminal"] = bool(start_new_session), self._terminal
            started = _ask(address, job, [p2cread if p2cread != -1 else 0, c2pwrite if c2pwrite != -1 else 1,
                                          errwrite if errwrite != -1 else 2])
        if started is None:  # not a newsbot process, or one the zygote's interpreter would not start as: an exec
            if self._terminal:
                preexec_fn = _take_terminal
            return super()._execute_child(args, executable, preexec_fn, close_fds, pass_fds, cwd, env,
                                          startupinfo, creationflags, shell, p2cread, p2cwrite, c2pread,
                                          c2pwrite, errread, errwrite, restore_signals, gid, gids, uid,
                                          umask, start_new_session, process_group)
        self.pid, self._status_fd = started
        self._child_created = True
        self._close_pipe_fds(p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite)

    def _try_wait(self, wait_flags):
        if self._status_fd is None:
            return super()._try_wait(wait_flags)
        if wait_flags & os.WNOHANG and not select.select([self._status_fd], [], [], 0)[0]:
            return 0, 0
        return self.pid, self._read_status()

    def _internal_poll(self, _deadstate=None, **_):
        if self._status_fd is None:
            return super()._internal_poll(_deadstate)
        if self.returncode is None and self._waitpid_lock.acquire(False):
            try:
                if self.returncode is None:
                    pid, status = self._try_wait(os.WNOHANG)
                    if pid:
                        self._handle_exitstatus(status)
            finally:
                self._waitpid_lock.release()
        return self.returncode

    def _read_status(self) -> int:
        global _children_cpu
        data = b""
        while len(data) < _STATUS.size:
            part = os.read(self._status_fd, _STATUS.size - len(data))
            if not part:
                break
            data += part
        os.close(self._status_fd)
        self._status_fd = -1  # read: the status is in returncode from now on
        if len(data) < _STATUS.size:  # the zygote is gone: as a process killed by SIGKILL
            return signal.SIGKILL
        status, user, system = _STATUS.unpack(data)
        with _cpu_lock:
            _children_cpu += user + system
        return status


def _take_terminal() -> None:
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run(args, *, input=None, capture_output=False, timeout=None, check=False, **kwargs):
    """subprocess.run with this module's Popen."""
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    with Popen(args, **kwargs) as process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        except BaseException:
            process.kill()
            raise
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if check:
        done.check_returncode()
    return done


def _ask(address: str, job: dict, streams: list[int]) -> tuple[int, int] | None:
    """The forked process's pid and the read end of its status pipe; None where it needs an exec."""
    payload = pickle.dumps(job)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(address)
            socket.send_fds(connection, [struct.pack("!I", len(payload)) + payload], streams)
            reply, fds, _, _ = socket.recv_fds(connection, 4, 1)
    except OSError:  # the zygote is gone (it said why on stderr): an exec does the same
        return None
    if len(reply) < 4 or not fds or struct.unpack("!i", reply)[0] <= 0:
        for fd in fds:
            os.close(fd)
        return None
    return struct.unpack("!i", reply)[0], fds[0]


def launch_builds() -> None:
    """Have newsbot start its index builds and merges (bot/reindex.py, retrieval/merge.py) with this
    module's Popen, in this process and in the processes forked from the zygote."""
    for name in ("bot.reindex", "retrieval.merge"):
        module = sys.modules.get(name) or __import__(name, fromlist=["LAUNCH"])
        module.LAUNCH = Popen


# -- pytest's main process --------------------------------------------------------------------------
_zygote: subprocess.Popen | None = None


def start() -> None:
    """Start the zygote and name its socket in NEWSBOT_TEST_ZYGOTE for the test workers. It listens at
    once and imports meanwhile, while pytest starts its workers: the first request waits for it."""
    global _zygote
    if os.environ.get("NEWSBOT_TEST_FORK") == "0" or not hasattr(socket, "send_fds") or sys.platform != "linux":
        return
    address = os.path.join(tempfile.mkdtemp(prefix="newsbot-zygote-"), "socket")
    listening_read, listening_write = os.pipe()
    _zygote = subprocess.Popen([sys.executable, "-c", "from tests.forked import _serve; _serve()", address,
                                str(listening_write)], cwd=ROOT, env=_zygote_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, pass_fds=[listening_write])
    os.close(listening_write)
    with os.fdopen(listening_read, "rb") as listening:
        if listening.read() == b"listening":
            os.environ[ADDRESS] = address
            return
    _zygote.wait()
    _zygote = None


def stop() -> None:
    """Stop the zygote (it ends its own children first) and wait for it."""
    global _zygote
    address = os.environ.pop(ADDRESS, None)
    if _zygote is not None:
        _zygote.terminate()
        _zygote.wait()
        _zygote = None
    if address:
        for path in (address, os.path.dirname(address)):
            try:
                os.remove(path) if path == address else os.rmdir(path)
            except OSError:
                pass


# -- the zygote ---------------------------------------------------------------------------------
def _preload() -> None:
    import pkgutil

    import aiohttp.web  # noqa: F401  (the fake Bot API and feeds' servers)
    import sklearn.feature_extraction.text  # noqa: F401
    import telegram.ext  # noqa: F401

    import bot
    import retrieval

    for package in (bot, retrieval):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                __import__(module.name)


def _serve() -> None:
    address, listening = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for pytest and the processes, not for this
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)
    os.write(listening, b"listening")
    os.close(listening)
    _preload()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    statuses: dict[int, int] = {}  # pid: the write end of its status pipe
    parent = os.getppid()
    while not stopping and os.getppid() == parent:  # ends with pytest, even if pytest was killed
        try:
            readable = select.select([listener, wake_read], [], [], 2.0)[0]
        except InterruptedError:
            continue
        if wake_read in readable:
            os.read(wake_read, 4096)
            _reap(statuses)
        if listener in readable:
            connection = listener.accept()[0]
            with connection:
                _fork(connection, listener, statuses)
    for pid in statuses:  # the run is over: what is left was never waited for
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while statuses:
        _reap(statuses, block=True)


def _reap(statuses: dict[int, int], block: bool = False) -> None:
    while statuses:
        try:
            pid, status, usage = os.wait4(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            statuses.clear()
            return
        if pid == 0:
            return
        fd = statuses.pop(pid, None)
        if fd is not None:
            try:
                os.write(fd, _STATUS.pack(status, usage.ru_utime, usage.ru_stime))
            except OSError:  # the test is gone
                pass
            os.close(fd)


def _fork(connection: socket.socket, listener: socket.socket, statuses: dict[int, int]) -> None:
    data, streams, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    while len(data) < 4 or len(data) < 4 + struct.unpack("!I", data[:4])[0]:
        part = connection.recv(1 << 16)
        if not part:
            break
        data += part
    try:
        job = pickle.loads(data[4:])
    except Exception:
        job = None
    if job is None or len(streams) != 3 or _startup_env(job["env"]) != _startup_env(os.environ):
        for fd in streams:
            os.close(fd)
        if job is not None:
            connection.sendall(struct.pack("!i", 0))
        return
    status_read, status_write = os.pipe()
    # The signals this interpreter handles in its own way wait until the process has its own handlers:
    # a SIGTERM sent the moment it started then ends it, as it would end a starting interpreter.
    signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    pid = os.fork()
    if pid:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    else:
        try:
            listener.close()
            connection.close()
            _child(job, streams)
        except BaseException:  # in this module's own code, before or after the process's: say so
            import traceback

            traceback.print_exc()
        finally:
            os._exit(70)
    statuses[pid] = status_write
    for fd in streams:
        os.close(fd)
    socket.send_fds(connection, [struct.pack("!i", pid)], [status_read])
    os.close(status_read)


def _child(job: dict, streams: list[int]) -> None:
    """In the forked process: become the process `python -m`/`-c` would start, run, exit as it would."""
    import atexit
    import runpy
    import traceback
    import types

    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    if job["new_session"]:
        os.setsid()
    for target, fd in enumerate(streams):
        os.dup2(fd, target)
    if job.get("terminal"):
        _take_terminal()
    os.closerange(3, os.sysconf("SC_OPEN_MAX") if os.sysconf("SC_OPEN_MAX") > 0 else 65536)
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    # New standard streams on the new descriptors, made as a starting interpreter makes them (buffering
    # by -u/PYTHONUNBUFFERED, line buffering on a terminal and for stderr, no newline translation);
    # the zygote's are kept referenced, so that freeing them closes nothing.
    sys._zygote_streams = [sys.stdin, sys.stdout, sys.stderr]
    sys.stdin = sys.__stdin__ = _stdio(0, sys.stdin)
    sys.stdout = sys.__stdout__ = _stdio(1, sys.stdout)
    sys.stderr = sys.__stderr__ = _stdio(2, sys.stderr)
    launch_builds()
    code, interrupted = 0, False
    try:
        if job["how"] == "-m":
            sys.argv = ["-m", *job["argv"]]
            sys.path[0] = os.getcwd()
            runpy._run_module_as_main(job["what"], alter_argv=True)
        else:
            sys.argv = ["-c", *job["argv"]]
            sys.path[0] = ""
            main = types.ModuleType("__main__")
            main.__builtins__ = __builtins__
            sys.modules["__main__"] = main
            exec(compile(job["what"], "<string>", "exec"), main.__dict__)
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        interrupted = True
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120
    if interrupted:  # as the interpreter ends on an uncaught KeyboardInterrupt: by SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code)


def _stdio(fd: int, like) -> "io.TextIOWrapper":
    import io

    buffered, writing = not sys._zygote_streams[1].write_through, fd > 0  # -u: the zygote's are written through
    raw = io.FileIO(fd, "w" if writing else "r", closefd=False)
    binary = raw if writing and not buffered else io.BufferedWriter(raw) if writing else io.BufferedReader(raw)
    return io.TextIOWrapper(binary, encoding=like.encoding, errors=like.errors, newline="\n",
                            line_buffering=buffered and (raw.isatty() or fd == 2), write_through=not buffered)


def _exit_code(code) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
