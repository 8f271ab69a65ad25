"""Inputs: read once at the edge (flags, then INPUT_* variables, then defaults), validated,
and frozen into a Config that every later step is handed.
"""
