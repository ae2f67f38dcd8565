"""Running a VTK algorithm with little memory, for the out-of-memory tests (test_out_of_memory,
test_sources): the address space limited to what the process uses plus a headroom, and VTK's
messages captured instead of printed."""
import resource
from contextlib import contextmanager

from vtkmodules.vtkCommonCore import vtkLogger, vtkOutputWindow, vtkStringOutputWindow

MB = 1 << 20


def address_space_in_use():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


@contextmanager
def limited(headroom=None):
    """Yields the window that collects VTK's messages; with `headroom` (bytes), the address space is
    limited to what is in use plus that much until the block ends."""
    messages = vtkStringOutputWindow()
    previous, verbosity = vtkOutputWindow.GetInstance(), vtkLogger.GetCurrentVerbosityCutoff()
    vtkOutputWindow.SetInstance(messages)
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_OFF)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        if headroom is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space_in_use() + headroom, hard))
        yield messages
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        vtkOutputWindow.SetInstance(previous)
        vtkLogger.SetStderrVerbosity(verbosity)
