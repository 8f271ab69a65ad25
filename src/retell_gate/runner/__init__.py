"""The GitHub runner's side: the only code that writes workflow commands, step outputs, the job
summary and report files, and the signal handling of a container's PID 1.
"""
