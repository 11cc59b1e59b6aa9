"""Run a pyftpdlib server for ferry's integration tests.

Started by integration/daemon_pyftpdlib.go with Debian's /usr/bin/python3
(python3-pyftpdlib, python3-openssl). It serves one virtual user on
127.0.0.1, optionally with explicit TLS (AUTH TLS), and runs in the
foreground until it gets SIGTERM. pyftpdlib 1.5.7 has no implicit TLS.
"""

import argparse
import logging
import signal
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.servers import FTPServer


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True,
                   help="file holding the password, so it is not in ps output")
    p.add_argument("--passive-ports", required=True, help="MIN:MAX")
    p.add_argument("--max-cons-per-ip", type=int, default=256)
    p.add_argument("--tls", choices=["none", "explicit"], default="none")
    p.add_argument("--cert", help="PEM certificate chain (with --tls)")
    p.add_argument("--key", help="PEM private key (with --tls)")
    a = p.parse_args()

    with open(a.password_file) as f:
        password = f.read().strip()
    lo, hi = (int(x) for x in a.passive_ports.split(":"))

    authorizer = DummyAuthorizer()
    # All permissions: read (elr) and write (adfmwMT) commands.
    authorizer.add_user(a.user, password, a.root, perm="elradfmwMT")

    if a.tls == "explicit":
        # Imported only here: plain runs do not need pyOpenSSL.
        from pyftpdlib.handlers import TLS_FTPHandler as Handler
        Handler.certfile = a.cert
        Handler.keyfile = a.key
        # Like the other daemons' TLS instances: no cleartext login or data.
        Handler.tls_control_required = True
        Handler.tls_data_required = True
    else:
        from pyftpdlib.handlers import FTPHandler as Handler
    Handler.authorizer = authorizer
    Handler.passive_ports = range(lo, hi + 1)
    Handler.masquerade_address = "127.0.0.1"
    Handler.banner = "pyftpdlib ready for ferry tests."

    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG,
                        format="%(asctime)s %(levelname)s %(message)s")
    server = FTPServer(("127.0.0.1", a.port), Handler)
    server.max_cons = 256
    server.max_cons_per_ip = a.max_cons_per_ip

    def stop(signum, frame):
        server.close_all()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever(handle_exit=False)


if __name__ == "__main__":
    main()
