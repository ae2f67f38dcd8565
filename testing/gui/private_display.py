"""A virtual X display of its own for a command that renders (the GUI tests, the pictures drawn with
pvpython): `python3 private_display.py COMMAND...` runs COMMAND under it and exits with its status.

Not the display the test suite runs under, nor `xvfb-run -a`: that takes the lowest free number, and
two xvfb-runs started at once (the machine is shared) can take the same one, the second then running
its command against the first one's server, which refuses it ("bad X server connection")."""
import os
import random
import subprocess
import sys


def virtual_display():
    """The xvfb-run prefix of a command, on a server number drawn at random among the free ones."""
    rng = random.SystemRandom()
    number = next(n for n in iter(lambda: rng.randrange(1000, 60000), None)
                  if not os.path.exists(f"/tmp/.X{n}-lock"))
    return ["xvfb-run", "-n", str(number), "-s", "-screen 0 1280x800x24"]


if __name__ == "__main__":
    environment = dict(os.environ)
    environment.pop("DISPLAY", None)
    sys.exit(subprocess.call([*virtual_display(), *sys.argv[1:]], env=environment))
