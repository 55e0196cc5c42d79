"""What the desk refuses to do, by kind: each domain error derives from one of these, so an API
answers it with the same status wherever it is raised (``dsr.web.http_errors`` holds the mapping),
without importing the module that raises it.

The message of each is a sentence the caller can act on; ``details`` adds what they may need
beside it (who decided first, which requests a short reference names)."""

from typing import Any


class RefusalError(Exception):
    """A refusal the caller can act on; not a fault of the desk."""

    @property
    def details(self) -> dict[str, Any]:
        """Fields the answer carries beside the message."""
        return {}


class SignInRequiredError(RefusalError):
    """Nobody is signed in, or the sign-in cannot be trusted."""


class NotPermittedError(RefusalError):
    """The caller may not do this (their group, or a rule such as four eyes)."""


class NoSuchItemError(RefusalError):
    """What the call names does not exist."""


class StateConflictError(RefusalError):
    """The request (or appeal, task, triage item) is not in a state that allows this, often
    because somebody else acted first."""
