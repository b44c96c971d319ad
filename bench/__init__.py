"""`make bench`: list-page and API latency and query counts on PostgreSQL, next to a hello-world view.

Run from the project root after `make setup`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ilm .venv/bin/python -m bench [-n 200] [--show-queries]

It drops and recreates its own database (the DATABASE_URL's server, database name `ilm_bench`),
seeds 5,000 organisations and 20,000 sites with bulk inserts, then times requests in-process with
django.test.Client (the full middleware stack). Figures are printed, never asserted.
"""
