"""`python -m chat_gui`: until the Tk window lands, a terminal client with a local server when none answers."""

import sys

from chat_gui.terminal import build_parser, run
from chat_server import ServerConfig, run_in_thread

args = build_parser().parse_args()
server = None
try:
    run_in_thread(ServerConfig(host=args.host, port=args.port)) if args.host in ("127.0.0.1", "localhost") else None
except OSError:
    server = None  # a server already listens there: use it
sys.exit(run(args))
