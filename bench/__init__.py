"""`make bench`: list-page and API latency and query counts on PostgreSQL, next to a hello-world view.

Run from the project root after `make setup`:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ilm .venv/bin/python -m bench
        [--only network|cases|plans|jobs|channels] [-n 200] [--show-queries] [--cases-requests 150]
        [--cases-budget 180] [--jobs-requests 150] [--jobs-budget 120]

It drops and recreates its own database (the DATABASE_URL's server, database name `ilm_bench`),
seeds 5,000 organisations and 20,000 sites with bulk inserts (bench/seed.py), then times requests
in-process with django.test.Client (the full middleware stack):
- network: the site list page and API for buyers with 300 and 30 suppliers in their chain;
- cases (issue 3): 100,000 cases, 290,000 issues and 50,000 workers on top (bench/seed_cases.py), then
  the case list API and page for a caseworker of the CSO owning 30,000 cases and for the buyer with
  300 suppliers, with and without filters (bench/cases.py), diagnosing every missed goal;
- plans (issue 5): 13 progress indicators with ~3 years of history for that buyer's 300 suppliers
  (bench/seed_plans.py), then its progress grid (unfiltered, by country), CSV export, a supplier's page
  with trend and the API list, with query counts at 150 and 300 suppliers (bench/plans.py);
- jobs (issue 6): 20,000 vacancies in en/th/my/km/ne with fees and translations (bench/seed_jobs.py),
  then the public list /jobs/ and a vacancy's page, anonymous, next to the anonymous hello-world, with
  their page weight (HTML + linked assets) and query counts at 2,000 and 20,000 vacancies (bench/jobs.py).
Figures are printed, never asserted. The cases and plans sections take about 6-9 minutes on 2 CPUs; the
jobs section about 2 minutes on top of the network seed.
"""
