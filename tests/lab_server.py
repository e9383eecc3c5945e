"""A JupyterLab server for the browser tests: started from this virtual environment, always stopped.

It listens on a free local port with a random token, keeps its settings,
runtime files and workspaces in a temporary folder (nothing of the user's
Jupyter set-up is read or written), opens no browser and fetches nothing:
no news, no update check, no extension listing. The app is exposed to the
page (``window.jupyterapp``) so a test can run JupyterLab's own commands.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import CHROMIUM_ARGS

__all__ = ["JupyterLab", "jupyterlab_server", "free_port", "lab_page", "run_all_cells", "run_cell", "output_errors"]

# User settings: start the notebook's kernel without asking, and never ask about (or fetch) news.
_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    """A TCP port nothing listens on now (the server is told to fail, not to pick another, if that changes)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class JupyterLab:
    """A running server: where it serves, its token, the folder it shows and its log."""

    url: str
    token: str
    root: Path
    log: Path

    def lab_url(self, notebook: str) -> str:
        """The page that opens ``notebook`` (a path inside ``root``) in JupyterLab, alone (the workspace reset)."""
        return f"{self.url}/lab/tree/{notebook}?reset&token={self.token}"


def _wait_until_up(process: subprocess.Popen, url: str, token: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def jupyterlab_server(root: Path, home: Path, timeout: float = 90.0) -> Iterator[JupyterLab]:
    """Run JupyterLab on ``root`` (its own config in ``home``) until the block ends, then stop it and its kernels."""
    port, token = free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER", "JPY_"))}
    for name, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("IPYTHONDIR", "ipython"),
    ):
        env[name] = str(home / sub)
        (home / sub).mkdir(parents=True, exist_ok=True)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    for name, settings in _SETTINGS.items():
        path = home / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    log = home / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--expose-app-in-browser",
        # Should a test process be killed before it stops the server, the server stops itself.
        "--MappingKernelManager.cull_idle_timeout=300",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=True",
        "--ServerApp.shutdown_no_activity_timeout=360",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # CI runs as root
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, url, token, log, timeout)
        yield JupyterLab(url, token, root, log)
    finally:
        _stop(process, url, token)


def _shut_kernels_down(url: str, token: str) -> None:
    """Ask the server to shut every kernel down (kernels run in sessions of their own, not the server's group)."""
    headers = {"Authorization": f"token {token}"}
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{url}/api/kernels", headers=headers), timeout=5) as r:
            kernels = json.load(r)
        for kernel in kernels:
            request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}", headers=headers, method="DELETE")
            urllib.request.urlopen(request, timeout=15).close()
    except OSError:
        pass  # the server is gone already; its own shutdown stops its kernels


def _stop(process: subprocess.Popen, url: str, token: str) -> None:
    """Kernels first, then SIGTERM the server, then SIGKILL its process group if it lingers."""
    if process.poll() is None:
        _shut_kernels_down(url, token)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group this server was started in: its kernels too
    except ProcessLookupError:
        pass
    process.wait(timeout=15)


@contextmanager
def lab_page(chromium_path: str, lab: JupyterLab, notebook: str, run: bool = True) -> Iterator[tuple[Any, list, list]]:
    """Chromium showing ``notebook`` in JupyterLab: (page, dialogs, page errors); its kernel started unless not ``run``.

    Requests that leave this machine are refused; dialogs (``alert``) are
    recorded and dismissed.
    """
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            context.route(
                re.compile(r"^(?!http://127\.0\.0\.1:|ws://127\.0\.0\.1:|data:|blob:).*"), lambda route: route.abort()
            )
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(lab.lab_url(notebook))
            page.wait_for_function(_KERNEL_IDLE if run else _OPEN, timeout=90_000)
            yield page, dialogs, errors
        finally:
            browser.close()


_OPEN = "() => window.jupyterapp && document.querySelector('.jp-NotebookPanel .jp-Cell')"
_KERNEL_IDLE = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""


def run_all_cells(page: Any) -> None:
    """Run every cell of the open notebook (JupyterLab's Run All command); returns at once."""
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def run_cell(page: Any, index: int) -> None:
    """Select cell ``index`` and run it (JupyterLab's Run Selected Cell command); returns at once."""
    page.evaluate(
        """(index) => {
      const panel = window.jupyterapp.shell.currentWidget;
      panel.content.activeCellIndex = index;
      window.jupyterapp.commands.execute('notebook:run-cell');
    }""",
        index,
    )


def output_errors(page: Any) -> list[str]:
    """The text of every error output on the page (a traceback shown in a cell)."""
    return page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
