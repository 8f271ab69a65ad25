"""Reporting, as pure renderings of an Outcome: the job summary (markdown), annotations, the JUnit
XML and the JSON report. Nothing here writes; runner/ does.
"""
