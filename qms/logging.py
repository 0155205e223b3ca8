"""Logs an operator can use: one JSON object per line in production, with the request id and user id.

A request gets an id (``qms.middleware.RequestIdMiddleware``); it is kept in a context variable for as
long as the request runs, so every log line written meanwhile carries it (``RequestContextFilter``), and
the Celery tasks the request starts carry it too (``qms/celery.py`` puts it in the task's headers and
sets it again in the worker). Nothing personal goes into a line beyond the user id: log ids, never
usernames or e-mail addresses.

This module is imported by the logging configuration before Django is set up: no Django imports here.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)

# What a proxy in front may send as X-Request-ID: letters, digits and a few separators, not too long
# (a uuid4, a trace id); anything else is replaced by our own, so no one writes text into our logs.
WELL_FORMED_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The trusted header's value when it is well formed, else a new id."""
    if header and WELL_FORMED_REQUEST_ID.match(header):
        return header
    return new_request_id()


class RequestContextFilter(logging.Filter):
    """Puts the current request id and user id on every record (empty / None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs a 4xx/5xx answer (django.request) after the middleware is done, with the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "id", "") or request_id_var.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = user_id_var.get()
        return True


# Extra fields a log call may pass (``logger.info(..., extra={"status": 200})``) that go into the JSON.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "task", "task_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, user_id, and
    the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get() or None,
            "user_id": getattr(record, "user_id", None),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)
