"""The one Celery app. Configuration comes from Django settings (CELERY_*); tasks live in each app's tasks.py.

Logging: the worker and beat log through Django's LOGGING (JSON in production, see qms/logging.py), not
Celery's own format; a task started during a request logs that request's id.
"""

import logging
import logging.config
import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from qms.logging import request_id_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

logger = logging.getLogger("qms.tasks")

app = Celery("qms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The message header that carries the request id from the web process to the worker.
REQUEST_ID_HEADER = "qms_request_id"


@setup_logging.connect
def use_django_logging(**kwargs):
    """With a receiver here Celery leaves logging alone: the worker logs as the web process does."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def set_request_id(task=None, **kwargs):
    if task is None:
        return
    # In a worker the message's headers are attributes of the task's request; a task applied locally
    # has them under .headers; one that runs inline (eager) keeps the id of the request it runs in.
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(REQUEST_ID_HEADER)
    task.request.qms_request_id_token = request_id_var.set(request_id or request_id_var.get())
    # One line per run with the request id, so that the worker's log answers "what did this request start".
    logger.info("task %s started", task.name, extra={"task": task.name, "task_id": task.request.id})


@task_postrun.connect
def reset_request_id(task=None, **kwargs):
    token = getattr(task.request, "qms_request_id_token", None) if task is not None else None
    if token is not None:
        request_id_var.reset(token)
