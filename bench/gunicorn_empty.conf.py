"""An empty gunicorn configuration, passed with ``-c`` by bench/http_bench.py.

Without ``-c`` gunicorn loads ``gunicorn.conf.py`` from its working directory after applying
``--chdir``, so ``--chdir example_site`` would pick up example_site/gunicorn.conf.py (gthread
workers, 8 threads each; with threads > 1 gunicorn even turns ``-k sync`` into gthread). Every
server of the benchmark is configured on its command line only: ``-k sync -w 2 --threads 1``.
"""
