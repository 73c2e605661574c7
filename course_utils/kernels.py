"""Kernels the course starts itself (bench, check): on local IPC sockets in a private folder, never on TCP.

ipykernel warns about every TCP kernel ("running over TCP without encryption"), and a TCP kernel's ports are open to
every account on the machine; a socket file in a folder only this account can enter is neither.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

# For JupyterLab and the single-user servers of a class: their kernels' sockets go beside the connection files, in
# the account's private Jupyter runtime folder.
SERVER_ARGUMENTS = ["--KernelManager.transport=ipc"]


@contextlib.contextmanager
def private_kernel_manager(kernel_name: str = "python3"):
    """A KernelManager whose connection file and sockets live in a private temporary folder, removed afterwards."""
    from jupyter_client import KernelManager

    with tempfile.TemporaryDirectory(prefix="course-kernel-") as folder:
        os.chmod(folder, 0o700)
        yield KernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(folder, "kernel"),
                            connection_file=os.path.join(folder, "kernel.json"))
