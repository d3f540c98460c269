"""Register the kit's kernel for the conformance tests, in a private Jupyter folder.

`npm run kernel:install -- --prefix DIR` (dist/runner/install-kernel.js) writes the same kernel specs
JupyterLab uses; JUPYTER_PATH then puts DIR first, so the tests run the kit's kernel even where another
`tslab` kernel is registered, and nothing in the user's own Jupyter folders is touched.
"""
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pytest_configure(config):
    prefix = tempfile.mkdtemp(prefix="genlab-conformance-")
    node = os.environ.get("GENLAB_NODE", "node")
    installer = os.path.join(ROOT, "dist", "runner", "install-kernel.js")
    if not os.path.exists(installer):
        raise RuntimeError(f"{installer} is missing: run `npm run build` (npm install does it) first")
    subprocess.run([node, installer, "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
    data = os.path.join(prefix, "share", "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([data] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
    config._genlab_prefix = prefix


def pytest_unconfigure(config):
    prefix = getattr(config, "_genlab_prefix", None)
    if prefix:
        shutil.rmtree(prefix, ignore_errors=True)
