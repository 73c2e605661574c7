"""Kernels the course starts itself (bench, check): on local IPC sockets in a private folder, never on TCP.

ipykernel warns about every TCP kernel ("running over TCP without encryption"), and a TCP kernel's ports are open to
every account on the machine; a socket file in a folder only this account can enter is neither.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

# A socket file's path may not be longer than this (Linux's sun_path holds 108 bytes with the final NUL).
SOCKET_PATH_LIMIT = 107


def server_arguments(runtime_dir: str | None = None) -> list[str]:
    """What JupyterLab (or a class's single-user server) needs for kernels on IPC sockets: the sockets go beside the
    connection files in the account's private runtime folder, `runtime_dir` (the current account's by default).

    Where that folder's path is so long that a socket's would pass the system's limit, nothing: the kernels then use
    TCP on 127.0.0.1 (and ipykernel logs its warning), which always works.
    """
    if runtime_dir is None:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime_dir = jupyter_runtime_dir()
    socket = os.path.join(runtime_dir, "kernel-00000000-0000-0000-0000-000000000000-ipc-5")
    return ["--KernelManager.transport=ipc"] if len(os.fsencode(socket)) <= SOCKET_PATH_LIMIT else []


@contextlib.contextmanager
def private_kernel_manager(kernel_name: str = "python3"):
    """A KernelManager whose connection file and sockets live in a private temporary folder, removed afterwards."""
    from jupyter_client import KernelManager

    with tempfile.TemporaryDirectory(prefix="course-kernel-") as folder:
        os.chmod(folder, 0o700)
        manager = KernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(folder, "kernel"),
                                connection_file=os.path.join(folder, "kernel.json"))
        try:
            yield manager
        finally:
            # nbclient leaves a kernel it was handed running; this one ends with its folder.
            if manager.has_kernel:
                manager.shutdown_kernel(now=True)
