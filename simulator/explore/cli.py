"""``escalation explore FILE``: check the input, start the Solara server, wait for Ctrl-C.

Everything the page will need is checked here first, before any server starts: Solara and the
chart libraries are installed, the scenario file is valid (with the very message ``escalation
validate`` prints), every ``--param`` names a number of it, the replicate count and the port
can be used. The page is then served by ``solara run simulator.explore.app`` in a child process,
configured through the environment (:data:`simulator.explore.app.CONFIG_ENV`); its URL is printed
once it answers.

Solara's page loads its own scripts (the Vuetify app, RequireJS) through the server, which
fetches them from a CDN the first time and keeps them in its cache folder. Offline, nothing
would load: :func:`prepare_assets` fills that cache from the npm registry (``npm pack``) when
the scripts are missing and npm is at hand.

Solara, Altair and vl-convert are imported only inside functions: ``escalation --help`` does
not pay for them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.experiment.limits import OptionError
from simulator.explore import CONFIG_ENV

INSTALL_HINT = 'pip install -e ".[explore]"'
#: seconds to wait for the server's first answer (importing Solara and the model takes a few)
START_TIMEOUT_S = 120.0
#: seconds to wait for npm to fetch the page's scripts
NPM_TIMEOUT_S = 300.0
EXAMPLES = """\
  escalation explore scenarios/baseline.yaml
  escalation explore scenarios/baseline.yaml --param actors.KH.control --param dynamics.memory
  escalation explore scenarios/baseline.yaml --replicates 500 --port 8765"""


def cmd_explore(args: argparse.Namespace) -> int:
    """``escalation explore``: validate everything, serve the page, wait until Ctrl-C."""
    check_installed()
    replicates = _whole(args.replicates, "--replicates")
    port = _whole(args.port, "--port")
    from simulator.explore.session import Explorer

    params = args.params
    explorer = Explorer.open(args.scenario, params, replicates)
    check_port(args.host, port)
    prepare_assets()
    paths = [p.path for p in explorer.params]
    try:
        server = start_server(explorer.source, paths, replicates, args.host, port)
    except RuntimeError as err:  # it died or hung on its way up; its own messages are above
        print(f"error: {err}", file=sys.stderr)
        return 1
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        print(
            f"Exploring {explorer.source} ({len(explorer.params)} sliders, {replicates:,} "
            f"replicates an update) at {server.url}",
            flush=True,
        )
        print("Press Ctrl-C to stop.", flush=True)
        try:
            code = server.process.wait()
        except KeyboardInterrupt:
            print("\nexplorer stopped.", flush=True)
            return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    print(f"error: the Solara server stopped (exit status {code}).", file=sys.stderr)
    return 1


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM: leave through the ``finally`` that stops the server."""
    raise SystemExit(128 + signum)


def check_installed() -> None:
    """OptionError with the install command when Solara or the chart libraries are missing."""
    missing = [m for m in ("solara", "altair", "vl_convert") if importlib.util.find_spec(m) is None]
    if missing:
        names = ", ".join("vl-convert-python" if m == "vl_convert" else m for m in missing)
        raise OptionError(
            f"`escalation explore` needs {names}, which {'is' if len(missing) == 1 else 'are'} "
            f"not installed; install the explorer's extra: {INSTALL_HINT}"
        )


def _whole(text: str | int, option: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise OptionError(f"{option} {text!r}: expected a whole number.") from None


def check_port(host: str, port: int) -> None:
    """OptionError when ``host:port`` cannot be listened on (taken, not an address here)."""
    if not 0 <= port <= 65535:
        raise OptionError(f"--port {port}: expected 0 (a free port) to 65,535.")
    try:
        with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        raise OptionError(
            f"--host {host} --port {port}: cannot serve there ({err.strerror or err})."
        ) from None


def free_port(host: str) -> int:
    """A port that is free on ``host`` now (the system's choice)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


# -- the server -------------------------------------------------------------------------------
@dataclass
class Server:
    """A running explorer: the child process serving it and the URL it answers at."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL if it has not gone within ``timeout`` s."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def config_text(file: str | Path, params: Sequence[str], replicates: int) -> str:
    """The value of :data:`~simulator.explore.CONFIG_ENV` for a file, slider paths and count."""
    return json.dumps({"file": str(file), "params": list(params), "replicates": replicates})


def server_env(file: Path, params: Sequence[str], replicates: int) -> dict[str, str]:
    """The child's environment: the page's configuration, and Solara kept quiet and offline."""
    env = dict(os.environ)
    env[CONFIG_ENV] = config_text(file, params, replicates)  # the child shares our folder
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # no usage reports to Solara's makers
    env["SOLARA_ASSETS_FONTAWESOME_ENABLED"] = "False"  # icons the page does not use
    cache = assets_cache()
    if cache is not None:
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache)
    # Solara warns on every page load that a cookie cannot be `samesite=none` over plain http
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), quiet) if w)
    return env


def start_server(
    file: Path,
    params: Sequence[str],
    replicates: int,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout: float = START_TIMEOUT_S,
    cwd: Path | None = None,
) -> Server:
    """Start ``solara run simulator.explore.app`` and return once it answers at its URL.

    The slider paths are taken as given (check them with :class:`Explorer.open` first). Port 0
    picks a free port; ``cwd`` is the server's working folder (where relative paths typed into
    the page land; default: this process's). Raises RuntimeError (after stopping it) when the
    server exits or does not answer within ``timeout`` seconds.
    """
    port = port or free_port(host)
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "simulator.explore.app",
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--production",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(
        command,
        env=server_env(file, params, replicates),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # its banner; the URL is printed once it answers
        # its own session: a Ctrl-C reaches only this process, which then stops the server
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    server = Server(process, _url(host, port))
    probe = _url(
        "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host, port
    )
    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise RuntimeError(f"the Solara server exited (status {code}) before it answered.")
        try:
            with urllib.request.urlopen(probe, timeout=5) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the Solara server did not answer at {probe} in {timeout:.0f} s.")
        time.sleep(0.2)


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _die_with_parent() -> None:
    """In the child (Linux): be sent SIGTERM when the parent dies, so no server is orphaned."""
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


# -- the page's scripts -----------------------------------------------------------------------
@dataclass(frozen=True)
class Asset:
    """An npm package the page loads from Solara's CDN path, and one file that shows it is there."""

    package: str
    """``name@version``, as the CDN path (and Solara's cache) names it."""
    probe: str


def page_assets() -> list[Asset]:
    """The packages Solara's page template loads for the installed Solara and ipyvuetify.

    Read from the template itself (its ``{{cdn}}/NAME@VERSION/…`` links), so that a new Solara
    release that moves to another version is followed; empty when the template cannot be read.
    """
    import ipywidgets
    import solara.server
    import solara.util

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    try:
        text = template.read_text(encoding="utf-8")
    except OSError:
        return []
    major = ipywidgets.__version__.split(".")[0]
    app = "solara-vuetify3-app" if solara.util.IPYVUETIFY_V3 else "solara-vuetify-app"
    found: list[Asset] = []
    for package in dict.fromkeys(re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@[\d.]+)/", text)):
        name = package.rsplit("@", 1)[0]
        if name == f"@widgetti/{app}":
            found.append(Asset(package, f"dist/solara-vuetify-app{major}.min.js"))
        elif name == "requirejs":
            found.append(Asset(package, "require.js"))
    return found


def assets_cache() -> Path | None:
    """The folder the server keeps the page's scripts in: Solara's, or ours if that is read-only.

    ``$SOLARA_ASSETS_PROXY_CACHE_DIR`` when set; otherwise Solara's own cache folder (in the
    Python environment), or ``~/.cache/escalation/solara-cdn`` when that cannot be written.
    """
    given = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    if given:
        return Path(given)
    from solara.server.settings import assets

    own = Path(assets.proxy_cache_dir)
    with contextlib.suppress(OSError):
        own.mkdir(parents=True, exist_ok=True)
    if os.access(own, os.W_OK):
        return own
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "escalation" / "solara-cdn"


def missing_assets(cache: Path) -> list[Asset]:
    """The page's packages that are not in ``cache``."""
    return [a for a in page_assets() if not (cache / a.package / a.probe).is_file()]


def prepare_assets(quiet: bool = False) -> list[str]:
    """Put the page's scripts in the server's cache from the npm registry when they are missing.

    Returns the packages fetched. Without npm, or when it fails, the server is left to fetch
    them from its CDN (a note says that, offline, the page will not load).
    """
    cache = assets_cache()
    if cache is None:
        return []
    missing = missing_assets(cache)
    if not missing:
        return []
    npm = shutil.which("npm")
    names = ", ".join(a.package for a in missing)
    if npm is None:
        _note(
            quiet,
            f"note: the page's scripts ({names}) are not in {cache}; the server will fetch "
            "them from its CDN on the first page load (without a network, install npm and run "
            "this again, or the page stays blank).",
        )
        return []
    _note(quiet, f"Fetching the page's scripts ({names}) with npm, once, into {cache} …")
    fetched: list[str] = []
    for asset in missing:
        try:
            npm_fetch(npm, asset.package, cache / asset.package)
        except (OSError, subprocess.SubprocessError, tarfile.TarError, RuntimeError) as err:
            _note(
                quiet,
                f"note: npm could not fetch {asset.package} ({err}); the server will try its "
                "CDN on the first page load.",
            )
            continue
        fetched.append(asset.package)
    return fetched


def npm_fetch(npm: str, package: str, target: Path) -> None:
    """``npm pack PACKAGE`` and unpack its files into ``target`` (replacing it, atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".npm-", dir=target.parent) as tmp:
        done = subprocess.run(
            [npm, "pack", package, "--silent", "--pack-destination", tmp],
            cwd=tmp,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            last = (done.stderr.strip().splitlines() or ["no tarball"])[-1]
            raise RuntimeError(f"npm pack exited {done.returncode}: {last}")
        unpacked = Path(tmp) / "unpacked"
        _unpack(tarballs[0], unpacked)
        if target.exists():
            shutil.rmtree(target)
        os.replace(unpacked, target)


def _unpack(tarball: Path, folder: Path) -> None:
    """Extract the regular files under ``package/`` of an npm tarball into ``folder``.

    Only plain relative paths are written (no links, devices, absolute or ``..`` paths).
    """
    folder.mkdir()
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if (
                not member.isfile()
                or len(parts) < 2
                or ".." in parts
                or Path(member.name).is_absolute()
            ):
                continue
            out = folder.joinpath(*parts[1:])
            out.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is None:
                continue
            with source, open(out, "wb") as sink:
                shutil.copyfileobj(source, sink)


def _note(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)
