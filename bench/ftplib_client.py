"""Python's ftplib as one client of the benchmark suite, with the same
arguments as ferryclient: get REMOTE LOCAL | put LOCAL REMOTE |
each OUTDIR REMOTE... (one RETR after another on one connection)."""
import argparse
import ftplib
import os
import ssl

p = argparse.ArgumentParser()
p.add_argument("-addr")
p.add_argument("-user")
p.add_argument("-pass", dest="password")
p.add_argument("-tls", action="store_true")
p.add_argument("-ca")
p.add_argument("work", nargs="+")
a = p.parse_args()
host, port = a.addr.rsplit(":", 1)
if a.tls:
    ctx = ssl.create_default_context(cafile=a.ca)
    c = ftplib.FTP_TLS(context=ctx)
else:
    c = ftplib.FTP()
c.connect(host, int(port))
c.login(a.user, a.password)
if a.tls:
    c.prot_p()
op, args = a.work[0], a.work[1:]
BLOCK = 256 << 10
if op == "get":
    with open(args[1], "wb") as f:
        c.retrbinary("RETR " + args[0], f.write, BLOCK)
elif op == "put":
    with open(args[0], "rb") as f:
        c.storbinary("STOR " + args[1], f, BLOCK)
elif op == "each":
    for path in args[1:]:
        with open(os.path.join(args[0], os.path.basename(path)), "wb") as f:
            c.retrbinary("RETR " + path, f.write, BLOCK)
c.quit()
