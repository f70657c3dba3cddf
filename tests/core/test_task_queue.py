"""The production task queue: a task enqueued with the database backend is stored, then
run by `manage.py db_worker` (django-tasks-db), not on the request thread."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from passeport.directory.tasks import orientations_follow_up_task

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker manages its own connections (it closes those left out of autocommit, as a
# test transaction is), so the test runs in autocommit like a real deployment.
@pytest.mark.django_db(transaction=True)
def test_database_queue_runs_the_follow_up_in_the_worker(settings):
    settings.TASKS = DB_QUEUE
    result = orientations_follow_up_task.enqueue()
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "READY"

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL"
    assert stored.return_value == {"reminded": 0, "expired": 0}
