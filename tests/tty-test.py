#!/usr/bin/env python3
"""Drive the console as a person types (tests/tty-test.sh runs this).

    python3 tests/tty-test.py LOG

Boots the kernel through boot/qemu.sh's socket mode with init running
/bin/ttyprobe (a tiny job-control shell, user/bin/ttyprobe.c), connects
to the serial console's unix socket ($SERIAL_SOCK), types commands and
keys one byte at a time, and checks what the terminal prints: canonical
editing (DEL, Backspace, ^U, ^W), ^D with and without a line, ^C to a
program asleep in nanosleep (handled, and by default), ^\\, ^Z then fg,
raw mode and VTIME.  Prints TAP and "N passed, N failed"; the console
goes to LOG.  The exit status is the number of failures (at most 100).
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time

log_path = sys.argv[1] if len(sys.argv) > 1 else "build/test-results/check/tty.log"
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


def main():
    try:
        os.unlink(sock_path)
    except FileNotFoundError:
        pass
    env = dict(os.environ)
    env["CMDLINE"] = "init=/bin/init -- /bin/ttyprobe"
    qemu = subprocess.Popen(["bash", "boot/qemu.sh", "socket"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
        qemu.kill()
    t = threading.Thread(target=reader, args=(conn,), daemon=True)
    t.start()

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

    try:
        qemu.wait(timeout=30)
    except subprocess.TimeoutExpired:
        qemu.kill()
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
