"""The dependency rules of STYLE.md, as import-linter contracts, and the schema as the migrations build it."""
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from persistence import load_metadata

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept():
    result = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
                             " sys.exit(lint_imports_command())"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_migrations_build_exactly_the_models(engine):
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}),
                                       load_metadata())
    assert differences == []
