"""Clinician reports built from the progress store: CSV, FHIR R4B, PDF and HTML.

``data.load_report`` reads one patient's period from the store into frozen values; each writer
turns those values into one format and writes its output whole or not at all.
"""
