"""Kernels the course starts: on socket files where their paths fit, and never left running."""

import nbformat
import psutil

from course_utils.kernels import private_kernel_manager, server_arguments


def test_servers_use_ipc_sockets_only_where_the_socket_path_fits():
    assert server_arguments("/home/ana/.local/share/jupyter/runtime") == ["--KernelManager.transport=ipc"]
    assert server_arguments("/home/" + "a" * 40 + "/.local/share/jupyter/runtime") == []


def test_a_private_kernel_is_shut_down_when_its_run_ends(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nprint(os.getpid())")])
    with private_kernel_manager() as manager:
        NotebookClient(nb, km=manager, timeout=60).execute(cwd=str(tmp_path))
        pid = int(nb.cells[0].outputs[0]["text"])
        assert psutil.pid_exists(pid)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
