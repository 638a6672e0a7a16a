"""Text messages (SMS), behind a pluggable backend like Django's e-mail: ``send_sms(to, text)``.

``settings.SMS_BACKEND`` names the backend class (environment ``SMS_BACKEND``):

* ``core.sms.ConsoleBackend`` (default): writes each message to standard output (local use, and
  production until a provider is configured);
* ``core.sms.LocmemBackend``: keeps them in ``core.sms.outbox`` (tests, like ``mail.outbox``);
* a provider's backend: a class with ``send(to, text)`` that raises on failure (an ``OSError`` for
  a network problem), e.g. a thin wrapper of a Chinese SMS gateway's HTTP API.

Every buyer's order carries a Chinese mobile number (the delivery address's phone), so notices
that must reach the buyer (recalls, expired orders) go by SMS as well as by e-mail. They are
recorded in the outbox (``core.outbox.outbox_sms``), never sent inside a request.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

#: What ``LocmemBackend`` has sent, oldest first (tests empty it).
outbox: list[Message] = []


@dataclass(frozen=True)
class Message:
    to: str
    text: str


class ConsoleBackend:
    """Prints the message; nothing leaves the machine."""

    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    """Keeps the message in ``core.sms.outbox``."""

    def send(self, to: str, text: str) -> None:
        outbox.append(Message(to=to, text=text))


def send_sms(to: str, text: str) -> None:
    """Send one text message through ``settings.SMS_BACKEND``; raises if the backend fails."""
    to = str(to or "").strip()
    if not to:
        raise ValueError("an SMS needs a mobile number")
    import_string(settings.SMS_BACKEND)().send(to, text)
