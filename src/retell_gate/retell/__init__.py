"""Retell's API: the HTTP client with its retries and deadlines, and the models of its answers.

Nothing here knows about GitHub, thresholds or reports.
"""
