"""The local cloud's HTTP servers: a failure while answering is logged, never printed."""

from __future__ import annotations

import logging
import sys
from http.server import ThreadingHTTPServer
from typing import Any

logger = logging.getLogger(__name__)


class LocalHTTPServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` whose errors go to the log (stderr, or off while a demonstration
    runs), not as a traceback printed on stderr. A client that hung up before its answer was
    written (it timed out, say) is no error of the desk's."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: tuple[str, int]) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError)):
            logger.info("the client hung up before its answer was written", extra={"port": client_address[1]})
            return
        logger.error("a local request failed", exc_info=error, extra={"port": client_address[1]})
