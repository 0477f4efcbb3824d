#!/usr/bin/env python3
"""Drive the console as a person types (tests/tty-test.sh runs this).

    python3 tests/tty-test.py LOG [probe|ash]

Boots the kernel through boot/qemu.sh's socket mode, connects to the
serial console's unix socket ($SERIAL_SOCK), types commands and keys one
byte at a time, and checks what the terminal prints.  Two sessions:

  probe  init runs /bin/ttyprobe (a tiny job-control shell,
         user/bin/ttyprobe.c): canonical editing (DEL, Backspace, ^U, ^W),
         ^D with and without a line, ^C to a program asleep in nanosleep
         (handled, and by default), ^\\, ^Z then fg, raw mode and VTIME;
  ash    init starts BusyBox's ash as a login shell, as `make run` does:
         line editing, history, tab completion, ^C, ^Z then jobs and fg,
         a background job killed, ^D ending the shell.

Prints TAP and "N passed, N failed"; the console goes to LOG.  The exit
status is the number of failures (at most 100).
"""
import os
import signal
import re
import socket
import subprocess
import sys
import threading
import time

log_path = sys.argv[1] if len(sys.argv) > 1 else "build/test-results/check/tty.log"
session = sys.argv[2] if len(sys.argv) > 2 else "probe"
sock_path = os.environ["SERIAL_SOCK"]
step_timeout = float(os.environ.get("TTY_STEP_TIMEOUT", "30"))
boot_timeout = float(os.environ.get("TTY_BOOT_TIMEOUT", "180"))

out = bytearray()
out_lock = threading.Lock()
results = []


def reader(conn):
    while True:
        try:
            data = conn.recv(4096)
        except OSError:
            return
        if not data:
            return
        with out_lock:
            out.extend(data)


def output():
    with out_lock:
        return bytes(out)


class Step:
    """One check: expectations searched in what follows its start."""

    def __init__(self, name):
        self.name = name
        self.pos = len(output())
        self.why = None

    def expect(self, pattern, timeout=None):
        """Wait for pattern (bytes, a regex) after the last match."""
        if self.why:
            return None
        deadline = time.time() + (timeout or step_timeout)
        rx = re.compile(pattern, re.S)
        while time.time() < deadline:
            m = rx.search(output(), self.pos)
            if m:
                self.pos = m.end()
                return m
            time.sleep(0.02)
        self.why = "no %r in the output" % pattern
        return None

    def check(self, cond, why):
        if not self.why and not cond:
            self.why = why

    def done(self):
        n = len(results) + 1
        if self.why:
            print("not ok %d - %s" % (n, self.name))
            print("#   %s" % self.why)
            tail = output()[-400:].decode("latin-1")
            for line in tail.replace("\r", "").split("\n")[-8:]:
                print("#   | %s" % line)
        else:
            print("ok %d - %s" % (n, self.name))
        sys.stdout.flush()
        results.append(self.why is None)


def type_keys(conn, keys, delay=0.03):
    for b in keys:
        conn.sendall(bytes([b]))
        time.sleep(delay)


def probe_session(conn):
    """The line discipline under /bin/ttyprobe."""
    s = Step("boot: ttyprobe finds fd 0 is a terminal (isatty) and prompts")
    s.expect(rb"ttyprobe: fd 0 is a terminal\r\nttyprobe> ", boot_timeout)
    s.done()
    booted = s.why is None

    def prompt_cmd(cmd):
        type_keys(conn, cmd + b"\r")

    s = Step("typed command echoed with ONLCR (Enter sends \\r, ICRNL)")
    if booted:
        prompt_cmd(b"lines")
        s.expect(rb"lines\r\n")
    else:
        s.why = "no boot"
    s.done()

    s = Step('canonical: "helo", DEL, "lo", Enter reads "hello\\n"; erase echoed as \\b \\b')
    type_keys(conn, b"helo\x7flo\r")
    s.expect(rb'helo\x08 \x08lo\r\n')
    s.expect(rb'read 6 "hello\\n"\r\n')
    s.done()

    s = Step('canonical: Backspace (^H) erases too: "ab", ^H, "c" reads "ac\\n"')
    type_keys(conn, b"ab\x08c\r")
    s.expect(rb'read 3 "ac\\n"')
    s.done()

    s = Step('canonical: ^U kills the line: "abc", ^U, "xyz" reads "xyz\\n"')
    type_keys(conn, b"abc\x15xyz\r")
    s.expect(rb'read 4 "xyz\\n"')
    s.done()

    s = Step('canonical: ^W erases a word: "foo bar", ^W, "baz" reads "foo baz\\n"')
    type_keys(conn, b"foo bar\x17baz\r")
    s.expect(rb'read 8 "foo baz\\n"')
    s.done()

    s = Step('canonical: erasing a tab backs up to the column before it')
    type_keys(conn, b"ab\t\x7f\x7fc\r")
    s.expect(rb'ab\t\x08{6}\x08 \x08c\r\n')
    s.expect(rb'read 3 "ac\\n"')
    s.done()

    s = Step('^D after "abc" ends the read with "abc" (no newline)')
    type_keys(conn, b"abc\x04")
    s.expect(rb'read 3 "abc"')
    s.done()

    s = Step("^D at the start of a line: read returns 0, the read loop ends")
    type_keys(conn, b"\x04")
    s.expect(rb'read 0 ""')
    s.expect(rb"\[exit 0\]\r\nttyprobe> ")
    s.done()

    s = Step("^C interrupts nanosleep: SIGINT reaches the handler, echoed as ^C")
    prompt_cmd(b"sleep")
    s.expect(rb"sleeping\r\n")
    time.sleep(0.3)
    type_keys(conn, b"\x03")
    s.expect(rb"\^C")
    s.expect(rb"interrupted by SIGINT\r\n")
    s.expect(rb"\[exit 0\]\r\nttyprobe> ")
    s.done()

    s = Step("^C kills a program asleep with SIGINT's default action")
    prompt_cmd(b"sleepdefault")
    s.expect(rb"sleeping\r\n")
    time.sleep(0.3)
    type_keys(conn, b"\x03")
    s.expect(rb"\[signal 2\]\r\nttyprobe> ")
    s.done()

    s = Step("^\\ sends SIGQUIT (echoed as ^\\)")
    prompt_cmd(b"sleepdefault")
    s.expect(rb"sleeping\r\n")
    time.sleep(0.3)
    type_keys(conn, b"\x1c")
    s.expect(rb"\^\\")
    s.expect(rb"\[signal 3\]\r\nttyprobe> ")
    s.done()

    s = Step("^Z stops a job reading the terminal; fg continues it and it reads the next line")
    prompt_cmd(b"line")
    s.expect(rb"reading\r\n")
    time.sleep(0.3)
    type_keys(conn, b"zz\x1a")
    s.expect(rb"\^Z")
    s.expect(rb"\[stopped by signal 20\]\r\njob> ")
    prompt_cmd(b"fg")
    time.sleep(0.5)
    type_keys(conn, b"after\r")
    s.expect(rb'read 6 "after\\n"')
    s.expect(rb"\[exit 0\]\r\nttyprobe> ")
    s.done()

    s = Step("raw mode: each key arrives at once, unechoed; ^C and Enter are bytes")
    prompt_cmd(b"raw")
    s.expect(rb"raw\r\nraw\r\n")
    start = s.pos
    type_keys(conn, b"a")
    m = s.expect(rb"key 0x61\r\n")
    if m:
        s.check(b"a" not in output()[start:m.start()], "the key was echoed")
    type_keys(conn, b"\x03")
    s.expect(rb"key 0x03\r\n")
    type_keys(conn, b"\r")
    s.expect(rb"key 0x0d\r\n")
    type_keys(conn, b"q")
    s.expect(rb"key 0x71\r\n")
    s.expect(rb"\[exit 0\]\r\nttyprobe> ")
    s.done()

    s = Step("VMIN 0, VTIME 3: a read with no input returns 0 after the timer")
    prompt_cmd(b"vtime")
    s.expect(rb"vtime read 0\r\n")
    s.expect(rb"\[exit 0\]\r\nttyprobe> ")
    s.done()

    s = Step("quit: init exits with status 0")
    prompt_cmd(b"quit")
    s.expect(rb"init: exit status 0")
    s.done()


ESC = b"\x1b"
UP, LEFT = ESC + b"[A", ESC + b"[D"


def ash_session(conn):
    """BusyBox ash as a person uses it at the console."""
    # ash asks the terminal where the cursor is (ESC [ 6 n) at each
    # prompt; a terminal that does not answer is fine.
    prompt = rb"/tmp # (\x1b\[6n)?"

    def cmd(line):
        type_keys(conn, line + b"\r")

    s = Step("boot: init starts ash as a login shell; /etc/profile's prompt shows the directory")
    s.expect(rb"built-in shell \(ash\)", boot_timeout)
    s.expect(rb"\n/ # ")
    s.done()
    if s.why:
        return

    s = Step("cd /tmp: the prompt follows the directory")
    cmd(b"cd /tmp")
    s.expect(prompt)
    s.done()

    s = Step("editing: Backspace erases, Left arrow moves back to insert, ^E to the end")
    type_keys(conn, b"echo helo")
    type_keys(conn, LEFT + b"l")
    type_keys(conn, b"\x05 wordx\x7f\r")
    s.expect(rb"\r\nhello word\r\n")
    s.expect(prompt)
    s.done()

    s = Step("history: Up arrow recalls the last command, Enter runs it again")
    type_keys(conn, UP)
    time.sleep(0.3)
    type_keys(conn, b"\r")
    s.expect(rb"\r\nhello word\r\n")
    s.expect(prompt)
    s.done()

    s = Step("tab completion: a command name, then a file name")
    cmd(b"echo data > /tmp/zq-unique-name")
    s.expect(prompt)
    type_keys(conn, b"base6\t")
    time.sleep(0.5)
    type_keys(conn, b"/tmp/zq-\t")
    time.sleep(0.5)
    type_keys(conn, b"\r")
    s.expect(rb"base64 /tmp/zq-unique-name")
    s.expect(rb"\r\nZGF0YQo=\r\n")
    s.expect(prompt)
    s.done()

    s = Step("pipes, redirection and $(...) typed at the prompt")
    cmd(b"echo $(echo abc | tr a-z A-Z) 2>&1 | wc -c")
    s.expect(rb"\r\n4\r\n")
    s.expect(prompt)
    s.done()

    s = Step("^C stops a foreground sleep; $? is 130")
    cmd(b"sleep 100")
    time.sleep(1.0)
    type_keys(conn, b"\x03")
    s.expect(prompt)
    cmd(b"echo status $?")
    s.expect(rb"status 130\r\n")
    s.expect(prompt)
    s.done()

    s = Step("^C at the prompt drops the line typed so far")
    type_keys(conn, b"echo never-run")
    type_keys(conn, b"\x03")
    s.expect(prompt)
    cmd(b"echo after")
    s.expect(rb"\r\nafter\r\n")
    s.check(b"\r\nnever-run" not in output()[s.pos - 200:], "the line ran")
    s.expect(prompt)
    s.done()

    s = Step("^Z stops a job; jobs lists it; fg continues it; ^C ends it")
    cmd(b"sleep 100")
    time.sleep(1.0)
    type_keys(conn, b"\x1a")
    s.expect(rb"\[1\]\+ +Stopped +sleep 100")
    s.expect(prompt)
    cmd(b"jobs")
    s.expect(rb"\[1\]\+ +Stopped +sleep 100")
    s.expect(prompt)
    cmd(b"fg")
    s.expect(rb"sleep 100\r\n")
    time.sleep(1.0)
    type_keys(conn, b"\x03")
    s.expect(prompt)
    cmd(b"jobs; echo no-jobs")
    s.expect(rb"\r\nno-jobs\r\n")
    s.done()

    s = Step("a background job: kill %1 ends it, and ash reports it")
    start = s.pos
    cmd(b"sleep 100 &")
    s.expect(prompt)
    cmd(b"kill %1")
    s.expect(prompt)
    cmd(b"wait; echo waited")
    s.expect(rb"waited\r\n")
    s.expect(prompt)
    # ash reports the job before the prompt after kill if the child is
    # gone by then, else before the one after wait: either is right.
    s.check(re.search(rb"\[1\]\+ +Terminated +sleep 100\r\n",
                      output()[start:]) is not None,
            "ash never reported the job Terminated")
    s.done()

    s = Step("^D on an empty line ends the shell; init exits with its status")
    type_keys(conn, b"\x04")
    s.expect(rb"init: exit status 0")
    s.done()


def main():
    try:
        os.unlink(sock_path)
    except FileNotFoundError:
        pass
    env = dict(os.environ)
    env["CMDLINE"] = ("init=/bin/init" if session == "ash"
                      else "init=/bin/init -- /bin/ttyprobe")
    # A session of its own, so that a test that ends early can stop QEMU
    # with boot/qemu.sh (killpg).
    qemu = subprocess.Popen(["bash", "boot/qemu.sh", "socket"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(600):
        try:
            conn.connect(sock_path)
            break
        except OSError:
            if qemu.poll() is not None:
                break
            time.sleep(0.1)
    else:
        os.killpg(qemu.pid, signal.SIGKILL)
    t = threading.Thread(target=reader, args=(conn,), daemon=True)
    t.start()

    if session == "ash":
        ash_session(conn)
    else:
        probe_session(conn)

    try:
        qemu.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(qemu.pid, signal.SIGKILL)
        qemu.wait()
    conn.close()
    t.join(timeout=2)
    extra = qemu.stdout.read().decode("latin-1") if qemu.stdout else ""
    with open(log_path, "wb") as f:
        f.write(output())
    for line in extra.strip().split("\n"):
        if line and "QEMU waiting for connection" not in line:
            print("# qemu: %s" % line)
    passed = sum(results)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return min(failed, 100)


if __name__ == "__main__":
    sys.exit(main())
