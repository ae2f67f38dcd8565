"""A virtual X display of its own for a command that renders (the GUI tests, the pictures drawn with
pvpython): `python3 private_display.py COMMAND...` runs COMMAND under it and exits with its status.

Not the display the test suite runs under, nor `xvfb-run -a`: that takes the lowest free number, and
two xvfb-runs started at once (the machine is shared) can take the same one, the second then running
its command against the first one's server, which refuses it ("bad X server connection"). A number
drawn at random among those free here can still be taken by a server this machine's other sessions
started, whose lock files this session does not see (seen once in a test run: VTK's "bad X server
connection" two seconds in; once, three numbers in a row while this session ran two test suites at
once): a command refused its display runs again, on another number, after a pause that grows."""
import os
import random
import subprocess
import sys
import time

ATTEMPTS = 5

# What a client prints when the display it was given refuses it or is gone (VTK, Qt, Xlib, xvfb-run).
REFUSED = ("bad X server connection", "could not connect to display", "cannot open display",
           "Can't open display", "Xvfb failed to start")


def virtual_display():
    """The xvfb-run prefix of a command, on a server number drawn at random among the free ones."""
    rng = random.SystemRandom()
    number = next(n for n in iter(lambda: rng.randrange(1000, 60000), None)
                  if not os.path.exists(f"/tmp/.X{n}-lock"))
    return ["xvfb-run", "-n", str(number), "-s", "-screen 0 1280x800x24"]


def run_on_private_display(command, env, timeout=None):
    """Runs command on a display of its own and returns the CompletedProcess (output captured as text);
    a run whose display refused it is done again on another one, up to ATTEMPTS times, and only the
    last run's output is returned (with a line per refused display before it)."""
    env = dict(env)
    env.pop("DISPLAY", None)
    refused = []
    for attempt in range(ATTEMPTS):
        prefix = virtual_display()
        result = subprocess.run([*prefix, *command], env=env, capture_output=True, text=True, timeout=timeout)
        output = result.stdout + result.stderr
        if result.returncode == 0 or attempt + 1 == ATTEMPTS or not any(text in output for text in REFUSED):
            break
        refused.append(f"private_display: display :{prefix[2]} refused the client; running again on another one\n")
        time.sleep(attempt + 1)
    result.stdout = "".join(refused) + result.stdout
    return result


if __name__ == "__main__":
    completed = run_on_private_display(sys.argv[1:], os.environ)
    sys.stdout.write(completed.stdout)
    sys.stderr.write(completed.stderr)
    sys.exit(completed.returncode)
