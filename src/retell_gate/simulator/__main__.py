"""The simulator on the command line: `python -m retell_gate.simulator --help`."""

from __future__ import annotations

import argparse
import contextlib
import ssl
from pathlib import Path

from .scenarios import SCENARIOS
from .server import Simulator


def _throwaway_ca(names: list[str]) -> tuple[ssl.SSLContext, bytes]:
    """A server context with a certificate for `names` from a fresh CA, and that CA's certificate (PEM)."""
    import trustme  # a development tool, needed only here

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context, ca.cert_pem.bytes()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m retell_gate.simulator",
        description="A local stand-in for Retell's test API, for the tests and the demo.",
    )
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--api-key", default="sim-key")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 for every interface")
    parser.add_argument(
        "--tls-ca-out",
        metavar="PATH",
        help="serve HTTPS with a certificate from a throwaway CA (needs trustme) and write the CA's certificate "
        "to PATH once listening, for REQUESTS_CA_BUNDLE",
    )
    parser.add_argument(
        "--tls-name",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name or IP address the certificate is for (repeatable); 127.0.0.1, localhost and --host "
        "always are",
    )
    args = parser.parse_args()
    every_interface = "0.0.0.0"  # noqa: S104 - listening there is the point; it is no name to certify
    names = [n for n in dict.fromkeys(["127.0.0.1", "localhost", args.host, *args.tls_name]) if n != every_interface]
    tls, ca_pem = _throwaway_ca(names) if args.tls_ca_out else (None, b"")
    simulator = Simulator(args.api_key, args.port if args.host == "127.0.0.1" else 0, tls)
    if args.host != "127.0.0.1":
        simulator.listen_on(args.host, args.port, tls)
    if args.tls_ca_out:  # written once listening, so a script can wait for the file
        Path(args.tls_ca_out).write_bytes(ca_pem)
    print(f"Retell simulator on {simulator.url} (API key {args.api_key!r}); scenarios: {', '.join(SCENARIOS)}")
    if tls is not None:
        print(f"HTTPS for {', '.join(names)}; the CA's certificate is in {args.tls_ca_out}")
    print("Stop it with Ctrl-C.", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        simulator.serve_forever()


if __name__ == "__main__":
    main()
