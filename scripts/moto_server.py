"""Run moto's server the way DynamoDB behaves: one request at a time per table.

moto's own `moto_server` serves requests on threads, and its DynamoDB backend does not lock an
item between a condition check and the write, so two racing conditional writes can both win —
something DynamoDB never allows (the store's optimistic locking and the outbound idempotency
records depend on it). This launcher wraps moto's WSGI app and serialises DynamoDB requests
(X-Amz-Target DynamoDB_*) behind one lock; every other service (SQS long polls included) keeps
moto's threading.

Usage: python scripts/moto_server.py -H 127.0.0.1 -p PORT
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

_dynamodb = threading.Lock()


def serialise_dynamodb(app):
    def wrapped(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with _dynamodb:
                # Drain the response inside the lock: the write happens while it is built.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wrapped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, serialise_dynamodb(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
