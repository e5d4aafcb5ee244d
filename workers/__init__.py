"""Processes and wiring: the only package that knows Celery, Redis and the file watcher."""
