"""The plan: which test case definitions to run and how they are split into batches (pure, no I/O)."""
