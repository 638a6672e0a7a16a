"""The one place that talks to Stripe: a thin, typed boundary over the official client.

Everything else in the shop calls these functions and sees plain dataclasses and two exceptions:
``StripeUnavailable`` (timeouts, connection errors, 5xx, rate limits: try again later, the same
idempotency key makes the retry safe) and ``StripeRejected`` (Stripe answered and said no).
``STRIPE_API_BASE`` points the client at another server (the tests' fake, stripe-mock).
Amounts cross this boundary as ``Decimal`` yuan and are sent as integer fen.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import stripe
from django.conf import settings

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


class StripeError(Exception):
    """Base of what the boundary raises."""


class StripeUnavailable(StripeError):
    """Stripe could not be reached or failed on its side; the request may be retried as is.

    ``replayed`` is True when Stripe answered with the saved failure of an earlier request with
    the same idempotency key (``Idempotent-Replayed: true``): the same key will keep failing for
    24 hours, so the caller should move to a new key (nothing was created under the old one).
    """

    def __init__(self, message: str, *, replayed: bool = False):
        super().__init__(message)
        self.replayed = replayed


class StripeRejected(StripeError):
    """Stripe answered and refused the request (bad parameters, wrong state, declined)."""

    def __init__(self, message: str, *, code: str = "", http_status: int | None = None):
        super().__init__(message)
        self.code = code or ""
        self.http_status = http_status


class WebhookInvalid(StripeError):
    """A webhook request that is not provably from Stripe (signature, timestamp or body)."""


def stripe_enabled() -> bool:
    """Card payments are offered only when every Stripe key is configured."""
    return bool(
        settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY and settings.STRIPE_WEBHOOK_SECRET
    )


def to_fen(amount: Decimal) -> int:
    """Yuan as ``Decimal`` → integer fen; refuses fractions of a fen rather than rounding them."""
    if not isinstance(amount, Decimal):
        raise TypeError("amounts are Decimal, never float")
    quantised = amount.quantize(CENT)
    if quantised != amount:
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(quantised * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


@dataclass(frozen=True)
class NextAction:
    """What the buyer must do next for Alipay or WeChat Pay, as Stripe's ``next_action`` says.

    ``redirect_url``: Alipay's page (``alipay_handle_redirect``, or ``redirect_to_url``);
    ``qr_data``/``qr_image``/``hosted_url``: WeChat Pay's QR code (``wechat_pay_display_qr_code``):
    its content, a ready image (``image_data_url``, else the PNG URL) and Stripe's hosted page.
    """

    type: str
    redirect_url: str = ""
    qr_data: str = ""
    qr_image: str = ""
    hosted_url: str = ""

    @classmethod
    def from_data(cls, data: dict | None) -> NextAction | None:
        if not isinstance(data, dict) or not data.get("type"):
            return None
        kind = data["type"]
        detail = data.get(kind) or {}
        if kind in ("alipay_handle_redirect", "redirect_to_url"):
            return cls(type=kind, redirect_url=detail.get("url") or "")
        if kind == "wechat_pay_display_qr_code":
            return cls(
                type=kind,
                qr_data=detail.get("data") or "",
                qr_image=detail.get("image_data_url") or detail.get("image_url_png") or "",
                hosted_url=detail.get("hosted_instructions_url") or "",
            )
        return cls(type=kind)


@dataclass(frozen=True)
class Intent:
    """What the shop needs of a PaymentIntent."""

    id: str
    status: str
    amount: Decimal
    amount_received: Decimal
    currency: str  # upper case, like Oscar's
    client_secret: str = ""
    latest_charge: str = ""
    last_error: str = ""
    method_label: str = ""
    metadata: dict = field(default_factory=dict)
    payment_method_types: tuple[str, ...] = ()
    next_action: NextAction | None = None

    @classmethod
    def from_data(cls, data: dict) -> Intent:
        charge = data.get("latest_charge") or ""
        charge_id = charge.get("id", "") if isinstance(charge, dict) else charge
        last_error = data.get("last_payment_error") or {}
        return cls(
            id=data["id"],
            status=data.get("status") or "",
            amount=from_fen(data.get("amount") or 0),
            amount_received=from_fen(data.get("amount_received") or 0),
            currency=(data.get("currency") or "").upper(),
            client_secret=data.get("client_secret") or "",
            latest_charge=charge_id,
            last_error=(last_error.get("message") or last_error.get("code") or "")[:500],
            method_label=_method_label(charge if isinstance(charge, dict) else {}),
            metadata=dict(data.get("metadata") or {}),
            payment_method_types=tuple(data.get("payment_method_types") or ()),
            next_action=NextAction.from_data(data.get("next_action")),
        )


@dataclass(frozen=True)
class Refund:
    id: str
    status: str
    amount: Decimal
    payment_intent: str = ""
    failure_reason: str = ""
    metadata: dict = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict) -> Refund:
        return cls(
            id=data["id"],
            status=data.get("status") or "",
            amount=from_fen(data.get("amount") or 0),
            payment_intent=data.get("payment_intent") or "",
            failure_reason=data.get("failure_reason") or "",
            metadata=dict(data.get("metadata") or {}),
        )


def _method_label(charge: dict) -> str:
    details = charge.get("payment_method_details") or {}
    kind = details.get("type") or ""
    card = details.get("card") or {}
    if kind == "card" and card.get("last4"):
        return f"{(card.get('brand') or 'card').title()} •••• {card['last4']}"
    return {"alipay": "Alipay", "wechat_pay": "WeChat Pay"}.get(kind, kind)


@lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, timeout: float, retries: int) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        http_client=stripe.RequestsClient(timeout=timeout),
        max_network_retries=retries,
    )


def client() -> stripe.StripeClient:
    """The configured client, rebuilt only when a setting it depends on changes."""
    if not settings.STRIPE_SECRET_KEY:
        raise StripeRejected("Stripe is not configured (STRIPE_SECRET_KEY is empty)", code="not_configured")
    return _client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE.rstrip("/"),
        float(settings.STRIPE_TIMEOUT_SECONDS),
        int(settings.STRIPE_MAX_NETWORK_RETRIES),
    )


def _call(what: str, fn, *args, **kwargs):
    """Run one client call, translating the library's errors into the boundary's two kinds."""
    try:
        result = fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        logger.warning("stripe: %s could not reach Stripe: %s", what, exc)
        raise StripeUnavailable(str(exc.user_message or exc)) from exc
    except stripe.StripeError as exc:
        status = exc.http_status or 0
        if status >= 500 or status == 409 or isinstance(exc, stripe.APIError):
            headers = exc.headers or {}
            replayed = (
                str(headers.get("idempotent-replayed", headers.get("Idempotent-Replayed", ""))) == "true"
            )
            logger.warning("stripe: %s failed at Stripe (%s, replayed=%s): %s", what, status, replayed, exc)
            raise StripeUnavailable(str(exc.user_message or exc), replayed=replayed) from exc
        logger.info("stripe: %s refused (%s): %s", what, status, exc)
        raise StripeRejected(
            str(exc.user_message or exc), code=getattr(exc, "code", "") or "", http_status=status
        ) from exc
    return result.to_dict() if hasattr(result, "to_dict") else result


def _method_options(method: str) -> dict:
    # WeChat Pay needs to know where the buyer pays from; "web" makes Stripe answer with a QR code.
    return {"payment_method_options": {"wechat_pay": {"client": "web"}}} if method == "wechat_pay" else {}


def payment_intent_create(
    *,
    amount: Decimal,
    currency: str,
    order_number: str,
    idempotency_key: str,
    description: str = "",
    method: str = "card",
) -> Intent:
    """Create (or, for a key Stripe has seen in the last 24 hours, get back) the order's intent.

    ``method`` is the one Stripe payment method type the buyer chose ("card", "alipay",
    "wechat_pay"): the intent accepts that one only, so a card order cannot be paid by Alipay.
    """
    params = {
        "amount": to_fen(amount),
        "currency": currency.lower(),
        "payment_method_types": [method],
        **_method_options(method),
        "metadata": {"order_number": order_number},
        "description": description or f"Order {order_number}",
    }
    data = _call(
        "payment_intent_create",
        client().v1.payment_intents.create,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return Intent.from_data(data)


def payment_intent_confirm(intent_id: str, *, method: str, return_url: str, idempotency_key: str) -> Intent:
    """Confirm an Alipay or WeChat Pay intent on the server; the answer carries its ``next_action``.

    Alipay: a page to send the buyer to, who comes back to ``return_url``. WeChat Pay (client
    "web"): a QR code to show. Stripe's webhook then says whether the buyer paid.
    """
    params = {"payment_method_data": {"type": method}, **_method_options(method)}
    if method == "alipay":
        params["return_url"] = return_url
    data = _call(
        "payment_intent_confirm",
        client().v1.payment_intents.confirm,
        intent_id,
        params=params,
        options={"idempotency_key": idempotency_key},
    )
    return Intent.from_data(data)


def account_capabilities() -> dict[str, str]:
    """The account's capabilities and their status (``{"alipay_payments": "active", ...}``)."""
    data = _call("account_retrieve", client().v1.accounts.retrieve_current)
    capabilities = data.get("capabilities") or {}
    return {str(name): str(status) for name, status in capabilities.items() if isinstance(status, str)}


def payment_intent_retrieve(intent_id: str) -> Intent:
    data = _call(
        "payment_intent_retrieve",
        client().v1.payment_intents.retrieve,
        intent_id,
        params={"expand": ["latest_charge"]},
    )
    return Intent.from_data(data)


def payment_intent_cancel(intent_id: str, *, idempotency_key: str) -> Intent:
    data = _call(
        "payment_intent_cancel",
        client().v1.payment_intents.cancel,
        intent_id,
        params={"cancellation_reason": "abandoned"},
        options={"idempotency_key": idempotency_key},
    )
    return Intent.from_data(data)


def payment_intent_amount_update(intent_id: str, *, amount: Decimal, idempotency_key: str) -> Intent:
    """Change what an unpaid intent asks for (Stripe refuses once it succeeded, is processing or canceled)."""
    data = _call(
        "payment_intent_update",
        client().v1.payment_intents.update,
        intent_id,
        params={"amount": to_fen(amount)},
        options={"idempotency_key": idempotency_key},
    )
    return Intent.from_data(data)


def refund_create(*, payment_intent_id: str, amount: Decimal, idempotency_key: str, metadata: dict) -> Refund:
    data = _call(
        "refund_create",
        client().v1.refunds.create,
        params={"payment_intent": payment_intent_id, "amount": to_fen(amount), "metadata": metadata},
        options={"idempotency_key": idempotency_key},
    )
    return Refund.from_data(data)


def refunds_list(*, payment_intent_id: str) -> list[Refund]:
    data = _call(
        "refunds_list",
        client().v1.refunds.list,
        params={"payment_intent": payment_intent_id, "limit": 100},
    )
    return [Refund.from_data(item) for item in data.get("data", [])]


# A signed event is accepted only if signed within this many seconds of now, either way: an old one
# may be a replay, and one "from the future" would stay replayable for as long as its clock is ahead.
WEBHOOK_TOLERANCE_SECONDS = 300


def webhook_event_verify(payload: bytes, signature_header: str | None) -> dict:
    """The event as Stripe sent it, once its signature, its time and its shape check out.

    Raises ``WebhookInvalid`` (the view answers 400) for: no secret configured, a bad or missing
    signature, a timestamp more than ``WEBHOOK_TOLERANCE_SECONDS`` away from now (past or future),
    and a correctly signed body that is not a Stripe event (not JSON, a JSON array, no id, type,
    creation time or ``data.object``).
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        # An empty secret would let anyone sign; refuse everything until one is configured.
        raise WebhookInvalid("STRIPE_WEBHOOK_SECRET is not configured")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
        )
        timestamp = _signed_at(signature_header)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as exc:
        raise WebhookInvalid(str(exc)) from exc
    if timestamp > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise WebhookInvalid(f"timestamp {timestamp} is in the future")
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise WebhookInvalid("the body is not JSON") from exc
    problem = _event_shape_problem(event)
    if problem:
        raise WebhookInvalid(f"not a Stripe event: {problem}")
    return event


def _signed_at(signature_header: str) -> int:
    """The ``t=`` of a ``Stripe-Signature`` header (already verified to be there and signed)."""
    for part in signature_header.split(","):
        name, _sep, value = part.strip().partition("=")
        if name == "t":
            return int(value)
    raise ValueError("no timestamp in the Stripe-Signature header")


def _event_shape_problem(event) -> str:
    if not isinstance(event, dict):
        return f"a JSON {type(event).__name__}, not an object"
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name].strip():
            return f"no {name}"
    if not isinstance(event.get("created"), int) or isinstance(event.get("created"), bool):
        return "no creation time"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "no data.object"
    return ""
