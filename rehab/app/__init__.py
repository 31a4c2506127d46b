"""The application on top: the command line, guided sessions, plans, the demo. The only layer that
wires devices, games, the engine and the store together.
"""
