"""Large case exports, written by the task worker (`manage.py db_worker`).

The task's only argument is the export's id: the filters live on the CaseExport row, so nothing a person
typed is kept in the queue's table. The rows are the ones the export's membership may see when the task
runs (`exports.export_run`).
"""

from __future__ import annotations

from django.tasks import task


@task()
def run_case_export(export_id: int) -> int:
    from ilm.cases.exports import export_run

    return export_run(export_id=export_id)
