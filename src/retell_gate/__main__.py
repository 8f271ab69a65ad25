from .runner.signals import remember_early

remember_early()  # first: a cancel during the imports below is reported, not lost

from .cli import main  # noqa: E402

main()
