"""Quarterly PDF reports, written by the task worker (`manage.py db_worker`).

The task's only argument is the report's id: the organisation, quarter and language live on the
QuarterlyReport row (`reports.report_run`).
"""

from __future__ import annotations

from django.tasks import task


@task()
def run_quarterly_report(report_id: int) -> str:
    from ilm.dashboards.reports import report_run

    return report_run(report_id=report_id)
