"""The release number, in the bottom layer so every layer (and the build) can read it without a cycle."""

__version__ = "0.1.0"
