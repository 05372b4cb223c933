"""The Celery application. Workers: `celery -A regsosek worker`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regsosek.settings")

app = Celery("regsosek")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Set here too: the Django-settings spelling of this option has been reported ignored (celery#7651).
app.conf.broker_transport_options = {"visibility_timeout": 4 * 3600}
app.autodiscover_tasks()
