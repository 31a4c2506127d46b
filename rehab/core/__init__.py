"""The shared vocabulary: value types, motion names and normal ranges, landmarks, clocks.

The bottom layer: it imports nothing else of ours, so every other layer can use it.
"""
