"""The clinic server: the place home installations sync with, and physiotherapists and clinicians
work from (see docs/clinic.md). The top layer: it may use everything below it; nothing of the home
application imports it (the home talks to it over HTTP only)."""
