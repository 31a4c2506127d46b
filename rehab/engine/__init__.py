"""The game engine: the frame loop and its scenes, measurement (angles, reps, controls), the HUD,
and the contract a game implements. Imports only ``rehab.core``.
"""
