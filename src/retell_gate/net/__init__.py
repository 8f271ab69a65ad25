"""HTTP for any JSON API the gate talks to (Retell, and GitHub's REST API): one try bounded in time
and size, retries with backoff that honour `Retry-After`, and a deadline no wait may pass."""
