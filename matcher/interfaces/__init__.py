"""Interfaces on the one core: the command line, batch reports, the HTTP service and the HTML report.

Each module imports its own dependencies (typer, FastAPI, Jinja2) so that the Python
API does not load them.
"""

__all__ = []
