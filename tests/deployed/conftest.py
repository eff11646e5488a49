"""The tests here run the production recipe's web front as deployed: gunicorn with
example_site/gunicorn.conf.py behind nginx with example_site/deploy/nginx/. They carry the
``deployed`` marker and are deselected (reported as such, never skipped) unless the ``-m``
expression names it: ``uv run nox -s deployed`` runs them and needs nginx and openssl
(``apt-get install nginx-light openssl``); a plain ``uv run pytest`` leaves them out."""

from __future__ import annotations

from tests.opt_in import OptIn

OPT_IN = OptIn(
    "deployed", "deployed-setup tests", "`uv run nox -s deployed` (pytest tests/deployed -m deployed)"
)
pytest_collection_modifyitems = OPT_IN.collection_modifyitems
pytest_terminal_summary = OPT_IN.terminal_summary
