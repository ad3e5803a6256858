"""The job queue (huey): scheduled jobs and the work the web server hands off.

Run the worker with `huey_consumer portal.jobs.huey --workers 2 --worker-type thread
--flush-locks` (`make run` starts it, see portal/tools/run_all.py).
`queue.py` holds the huey instance and the app the jobs run in; `tasks.py` the jobs.
"""

from portal.jobs import tasks  # noqa: E402, F401  (registers the jobs on `huey`)
from portal.jobs.queue import huey

__all__ = ["huey"]
