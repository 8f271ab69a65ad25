"""The plan: which test case definitions to run and how they are split into batches of at most 200
(pure). launch.py carries the plan out against Retell."""
