"""Every simulator in one place: synthetic skeletons, simulated patients, virtual serial devices,
test clips and synthetic histories, for ``--input sim``, the demo, the tests and the benchmarks.
"""
