"""The project's paths, and the project's Python for the tools that talk to PostgreSQL themselves.

`tools/stress.py` and `tools/lifecycle.py` start as plain scripts (`make test-stress`, `make test-lifecycle`)
and read the database with psycopg2, which Odoo's requirements put in the project's venv: when the
Python that started them lacks it, `use_project_python()` runs the same command again with the venv's
Python (building the venv first with `tools/dev.sh setup` if there is none).
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = str(ROOT / "tools" / "dev.sh")


def use_project_python():
    """Return psycopg2, or replace this process with the same command on the project's Python."""
    try:
        import psycopg2  # noqa: PLC0415 - imported where the venv is known to be the one running
    except ImportError:
        venv = Path(os.environ.get("VENV", ROOT / ".venv"))
        if not (venv / "bin" / "python").exists():
            subprocess.run([DEV, "setup"], check=True)
        if Path(sys.prefix).resolve() != venv.resolve():
            os.execv(str(venv / "bin" / "python"), [str(venv / "bin" / "python"), *sys.argv])
        raise
    return psycopg2
