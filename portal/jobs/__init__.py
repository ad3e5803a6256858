"""The job queue (huey): scheduled jobs and the work the web server hands off.

Run the worker with `huey_consumer portal.jobs.huey -w 2 -k thread -f` (what `make run` does).
`queue.py` holds the huey instance and the app the jobs run in; `tasks.py` the jobs.
"""

from portal.jobs import tasks  # noqa: E402, F401  (registers the jobs on `huey`)
from portal.jobs.queue import huey

__all__ = ["huey"]
