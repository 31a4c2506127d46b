"""The patient's home screen: what ``rehab`` opens with no arguments on a machine with a display.

Rules and state (settings, what the store says about today, focus and hand dwell, the screens'
content) live in small modules with no drawing; ``layout`` places that content in pixels for the
current text size, ``draw`` paints it, and ``app`` runs the frame loop and the actions (today's
session, breathing, the camera check, linking) on the same window.
"""
