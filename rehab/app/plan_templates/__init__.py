"""Plan templates for common protocols, read with ``importlib.resources`` (see ``rehab.app.plans``)."""
