"""A small local fake of exactly the Stripe endpoints the shop calls, over real HTTP.

It runs in a thread (``FakeStripe().start()``), is reached through ``STRIPE_API_BASE`` like any
Stripe-compatible server, records every request (method, path, parameters, headers) so tests can
assert what the shop sent, and keeps Stripe's idempotency rules: the same key with the same
parameters replays the saved answer (with ``Idempotent-Replayed: true``, 500s included), the same
key with other parameters is a 400. It can be told to time out, answer 500 (executed and saved
under the key, like Stripe) or 503 (never reached the API), and builds events and their
``Stripe-Signature`` headers with Stripe's real scheme.

Alipay and WeChat Pay as Stripe documents them: an intent created with ``payment_method_types``
``["alipay"]`` or ``["wechat_pay"]`` (WeChat Pay with ``payment_method_options[wechat_pay][client]``)
and confirmed with ``payment_method_data[type]`` answers ``requires_action`` with a ``next_action``
of type ``alipay_handle_redirect`` (a URL on this fake: a page with "pay" and "cancel" buttons that
pays or fails the intent, sends the signed webhook to ``webhook_url`` and sends the browser back to
the ``return_url``) or ``wechat_pay_display_qr_code``. ``GET /v1/account`` answers the account's
``capabilities`` (all active unless a test changes ``fake.capabilities``).

Run by hand for a manual check (a shop on port 8107 with STRIPE_API_BASE=http://127.0.0.1:8117)::

    python -m tests.payment.fake_stripe 8117 http://127.0.0.1:8107/payments/stripe/webhook/ whsec_local
    curl -X POST http://127.0.0.1:8117/_fake/pay/pi_fake_0001   # the buyer pays; a signed webhook follows
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    params: dict
    headers: dict = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return self.headers.get("idempotency-key", "")


def parse_params(pairs) -> dict:
    """Stripe's form encoding (``metadata[order_number]=1``, ``expand[0]=x``) back into dicts."""
    result: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header: ``t=<ts>,v1=HMAC-SHA256(secret, f"{t}.{payload}")``."""
    if isinstance(payload, bytes):
        payload = payload.decode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class FakeStripe:
    API_VERSION = "2025-10-29.clover"

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, webhook_url: str = "", webhook_secret: str = ""
    ):
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.requests: list[Recorded] = []
        self.intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.capabilities = {
            "card_payments": "active",
            "alipay_payments": "active",
            "wechat_pay_payments": "active",
        }
        self._saved: dict[str, tuple[str, int, dict]] = {}  # idempotency key → (fingerprint, status, body)
        self._faults: list[dict] = []
        self._paid_before_cancel: set[str] = set()
        self._return_urls: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # --- lifecycle ---
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what tests ask for ---
    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def fault(self, kind: str, *, times: int = 1, path: str = "", seconds: float = 1.0) -> None:
        """The next ``times`` requests (to ``path`` if given): "timeout", "500" or "503"."""
        assert kind in ("timeout", "500", "503")
        with self._lock:
            self._faults.extend({"kind": kind, "path": path, "seconds": seconds} for _ in range(times))

    def pay(self, intent_id: str, *, amount_received: int | None = None, currency: str | None = None) -> dict:
        """The buyer pays: the intent succeeds with a charge of its method (amount/currency overridable)."""
        with self._lock:
            intent = self.intents[intent_id]
            kind = (intent.get("payment_method_types") or ["card"])[0]
            details = (
                {"type": "card", "card": {"brand": "visa", "last4": "4242"}}
                if kind == "card"
                else {"type": kind, kind: {"fingerprint": f"fp_{kind}", "transaction_id": "2026120522001"}}
            )
            charge_id = f"ch_fake_{next(self._ids):04d}"
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": intent["amount"],
                "amount_refunded": 0,
                "currency": currency or intent["currency"],
                "payment_intent": intent_id,
                "refunded": False,
                "payment_method_details": details,
            }
            intent.update(
                status="succeeded",
                next_action=None,
                amount_received=intent["amount"] if amount_received is None else amount_received,
                latest_charge=charge_id,
                last_payment_error=None,
            )
            if currency:
                intent["currency"] = currency
            return json.loads(json.dumps(intent))

    def decline(self, intent_id: str, message: str = "Your card was declined.") -> dict:
        with self._lock:
            intent = self.intents[intent_id]
            intent.update(
                status="requires_payment_method",
                next_action=None,
                last_payment_error={"code": "card_declined", "message": message, "type": "card_error"},
            )
            return json.loads(json.dumps(intent))

    def pay_just_before_cancel(self, intent_id: str) -> None:
        """The buyer's payment lands at Stripe a moment before the shop's cancellation does."""
        with self._lock:
            self._paid_before_cancel.add(intent_id)

    def set_status(self, intent_id: str, status: str) -> dict:
        with self._lock:
            self.intents[intent_id]["status"] = status
            return json.loads(json.dumps(self.intents[intent_id]))

    def refund_at_stripe(self, intent_id: str, amount: int) -> dict:
        """A refund made in Stripe's own dashboard (no request from the shop)."""
        with self._lock:
            return self._refund_create(intent_id, amount, {})

    def event(self, type_: str, obj: dict, *, created: int | None = None, event_id: str = "") -> dict:
        return {
            "id": event_id or f"evt_fake_{next(self._ids):06d}",
            "object": "event",
            "api_version": self.API_VERSION,
            "created": int(time.time()) if created is None else created,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }

    def intent_event(self, type_: str, intent_id: str, **kwargs) -> dict:
        with self._lock:
            obj = json.loads(json.dumps(self.intents[intent_id]))
        obj.pop("client_secret", None)
        return self.event(type_, obj, **kwargs)

    def charge_refunded_event(self, intent_id: str, **kwargs) -> dict:
        with self._lock:
            charge = dict(self.charges[self.intents[intent_id]["latest_charge"]])
        return self.event("charge.refunded", charge, **kwargs)

    # --- the API ---
    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):
                self._serve("GET")

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def _serve(self, method):
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params = parse_params(parse_qsl(parts.query) + parse_qsl(body))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, extra = fake._handle(method, parts.path, params, headers)
                if status is None:  # a timeout: answer nothing until the client has given up
                    return
                is_page = isinstance(payload, str)
                data = payload.encode() if is_page else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header(
                        "Content-Type", "text/html; charset=utf-8" if is_page else "application/json"
                    )
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Request-Id", f"req_fake_{next(fake._ids)}")
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def _take_fault(self, path: str) -> dict | None:
        for index, fault in enumerate(self._faults):
            if not fault["path"] or path.startswith(fault["path"]):
                return self._faults.pop(index)
        return None

    def _control(self, path: str):
        """Manual runs only: ``POST /_fake/pay/<intent>`` or ``/_fake/decline/<intent>``, then a webhook."""
        action, intent_id = path.split("/")[2:4]
        if intent_id not in self.intents or action not in ("pay", "decline"):
            return 404, _error("invalid_request_error", "unknown intent or action"), {}
        if action == "pay":
            self.pay(intent_id)
            event = self.intent_event("payment_intent.succeeded", intent_id)
        else:
            self.decline(intent_id)
            event = self.intent_event("payment_intent.payment_failed", intent_id)
        return 200, {"event": event["id"], "webhook_status": self.deliver(event)}, {}

    def _wallet_page(self, method, path, params):
        """The buyer's side of Alipay (and of WeChat Pay's hosted QR page): pay or cancel.

        ``GET /_fake/<alipay|wechat>/<intent>`` shows two buttons; ``POST …/pay`` or ``…/cancel``
        settles the intent, delivers the signed webhook, then sends the browser to the return URL
        (Alipay) or back to the page (WeChat Pay, whose page polls the shop by itself).
        """
        parts = path.strip("/").split("/")
        intent_id = parts[2] if len(parts) > 2 else ""
        intent = self.intents.get(intent_id)
        if intent is None:
            return 404, "<h1>No such payment</h1>", {}
        if method == "GET":
            amount = f"¥{intent['amount'] / 100:.2f}"
            title = "模拟支付宝" if parts[1] == "alipay" else "模拟微信支付"
            base = path.rstrip("/")
            page = (
                '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<link rel="icon" href="data:,">'
                f'<title>{title}</title></head><body><h1>{title}</h1><p id="amount">{amount}</p>'
                f'<form method="post" action="{base}/pay"><button id="fake-pay">确认付款</button></form>'
                f'<form method="post" action="{base}/cancel"><button id="fake-cancel">取消</button></form>'
                "</body></html>"
            )
            return 200, page, {}
        action = parts[3] if len(parts) > 3 else ""
        if action not in ("pay", "cancel"):
            return 404, "<h1>Unknown action</h1>", {}
        if action == "pay":
            self.pay(intent_id)
            event = self.intent_event("payment_intent.succeeded", intent_id)
        else:
            self.decline(intent_id, message="The customer cancelled the payment.")
            event = self.intent_event("payment_intent.payment_failed", intent_id)
        self.deliver(event)
        return_url = ((intent.get("next_action") or {}).get("alipay_handle_redirect") or {}).get("return_url")
        return_url = return_url or self._return_urls.get(intent_id, "")
        if not return_url:
            return 200, "<p>OK</p>", {}
        status = "succeeded" if action == "pay" else "failed"
        query = urlencode(
            {
                "payment_intent": intent_id,
                "payment_intent_client_secret": intent["client_secret"],
                "redirect_status": status,
            }
        )
        separator = "&" if "?" in return_url else "?"
        return 303, "", {"Location": f"{return_url}{separator}{query}"}

    def deliver(self, event: dict):
        """POST a signed event to ``webhook_url`` as Stripe does; the HTTP status, or None without a URL."""
        import urllib.request

        if not self.webhook_url:
            return None
        payload = json.dumps(event)
        request = urllib.request.Request(
            self.webhook_url,
            data=payload.encode(),
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign(payload, self.webhook_secret),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - a local URL
            return response.status

    def _handle(self, method, path, params, headers):
        if re.match(r"/_fake/(alipay|wechat)/", path):
            return self._wallet_page(method, path, params)
        if path.startswith("/_fake/") and method == "POST":
            return self._control(path)
        with self._lock:
            self.requests.append(Recorded(method, path, params, headers))
            if not headers.get("authorization", "").startswith("Bearer sk_test_"):
                return 401, _error("invalid_request_error", "Invalid API Key provided"), {}
            fault = self._take_fault(path)
            key = headers.get("idempotency-key", "") if method == "POST" else ""
            fingerprint = json.dumps([method, path, params], sort_keys=True)
            if key and key in self._saved:
                saved_fingerprint, status, body = self._saved[key]
                if saved_fingerprint != fingerprint:
                    message = "Keys for idempotent requests can only be used with the same parameters"
                    return 400, _error("idempotency_error", message), {}
                return status, body, {"Idempotent-Replayed": "true", "Idempotency-Key": key}
            if fault and fault["kind"] == "503":
                return 503, _error("api_error", "Service unavailable"), {"Stripe-Should-Retry": "true"}
            if fault and fault["kind"] == "500":
                status, body = 500, _error("api_error", "Something went wrong on Stripe's end.")
            else:
                status, body = self._route(method, path, params)
            if key:
                self._saved[key] = (fingerprint, status, body)
        if fault and fault["kind"] == "timeout":
            time.sleep(fault["seconds"])
            return None, None, {}
        return status, body, ({"Idempotency-Key": key} if key else {})

    def _route(self, method, path, params):
        if method == "POST" and path == "/v1/payment_intents":
            return self._intent_create(params)
        if method == "GET" and path == "/v1/account":
            return 200, {"id": "acct_fake", "object": "account", "capabilities": dict(self.capabilities)}
        match = re.fullmatch(r"/v1/payment_intents/([^/]+)/confirm", path)
        if match and method == "POST":
            intent = self.intents.get(match.group(1))
            if intent is None:
                return 404, _error("invalid_request_error", "No such payment_intent", code="resource_missing")
            return self._intent_confirm(intent, params)
        match = re.fullmatch(r"/v1/payment_intents/([^/]+)(/cancel)?", path)
        if match:
            intent = self.intents.get(match.group(1))
            if intent is None:
                return 404, _error("invalid_request_error", "No such payment_intent", code="resource_missing")
            if match.group(2) and method == "POST":
                if intent["id"] in self._paid_before_cancel:
                    self._paid_before_cancel.discard(intent["id"])
                    self.pay(intent["id"])
                if intent["status"] in ("succeeded", "canceled"):
                    message = (
                        f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}."
                    )
                    return 400, _error(
                        "invalid_request_error", message, code="payment_intent_unexpected_state"
                    )
                intent.update(status="canceled", cancellation_reason=params.get("cancellation_reason"))
                return 200, intent
            if method == "POST" and not match.group(2):  # update: only the amount, while unpaid
                if intent["status"] in ("succeeded", "processing", "canceled"):
                    message = (
                        f"You cannot update this PaymentIntent because it has a status of {intent['status']}."
                    )
                    return 400, _error(
                        "invalid_request_error", message, code="payment_intent_unexpected_state"
                    )
                if "amount" in params:
                    intent["amount"] = int(params["amount"])
                return 200, intent
            if method == "GET":
                result = json.loads(json.dumps(intent))
                if "latest_charge" in (params.get("expand") or {}).values() and intent["latest_charge"]:
                    result["latest_charge"] = self.charges[intent["latest_charge"]]
                return 200, result
        if path == "/v1/refunds" and method == "POST":
            intent = self.intents.get(params.get("payment_intent", ""))
            if intent is None or intent["status"] != "succeeded":
                return 400, _error("invalid_request_error", "This PaymentIntent has no successful charge.")
            return self._refund_create(intent["id"], int(params["amount"]), params.get("metadata") or {})
        if path == "/v1/refunds" and method == "GET":
            data = [r for r in self.refunds.values() if r["payment_intent"] == params.get("payment_intent")]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path})")

    def _intent_create(self, params):
        intent_id = f"pi_fake_{next(self._ids):04d}"
        types = [value for _key, value in sorted((params.get("payment_method_types") or {}).items())]
        if "automatic_payment_methods" not in params and not types:
            return 400, _error(
                "invalid_request_error", "Missing payment_method_types", code="parameter_missing"
            )
        options = params.get("payment_method_options") or {}
        if "wechat_pay" in types and not (options.get("wechat_pay") or {}).get("client"):
            message = "payment_method_options[wechat_pay][client] is required for WeChat Pay"
            return 400, _error("invalid_request_error", message, code="parameter_missing")
        if set(types) & {"alipay", "wechat_pay"} and params["currency"] != "cny":
            message = f"The currency provided ({params['currency']}) is invalid for {types[0]} here"
            return 400, _error("invalid_request_error", message, code="payment_intent_invalid_currency")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "amount_received": 0,
            "currency": params["currency"],
            "automatic_payment_methods": (
                {"enabled": params["automatic_payment_methods"].get("enabled")}
                if "automatic_payment_methods" in params
                else None
            ),
            "payment_method_types": types or ["card"],
            "payment_method_options": options,
            "next_action": None,
            "client_secret": f"{intent_id}_secret_fake",
            "created": int(time.time()),
            "description": params.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": params.get("metadata") or {},
            "status": "requires_payment_method",
        }
        self.intents[intent_id] = intent
        return 200, intent

    def _intent_confirm(self, intent, params):
        """Server-side confirmation of Alipay or WeChat Pay: ``requires_action`` and its next action."""
        if intent["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
            message = f"You cannot confirm this PaymentIntent because it has a status of {intent['status']}."
            return 400, _error("invalid_request_error", message, code="payment_intent_unexpected_state")
        kind = (params.get("payment_method_data") or {}).get("type", "")
        if kind not in intent["payment_method_types"]:
            message = (
                f"The payment method type provided: {kind} is invalid. This PaymentIntent accepts: "
                f"{', '.join(intent['payment_method_types'])}."
            )
            return 400, _error("invalid_request_error", message, code="payment_intent_invalid_parameter")
        intent_id = intent["id"]
        if kind == "alipay":
            if not params.get("return_url"):
                return 400, _error(
                    "invalid_request_error", "return_url is required", code="parameter_missing"
                )
            next_action = {
                "type": "alipay_handle_redirect",
                "alipay_handle_redirect": {
                    "native_data": None,
                    "native_url": None,
                    "return_url": params["return_url"],
                    "url": f"{self.url}/_fake/alipay/{intent_id}",
                },
            }
        elif kind == "wechat_pay":
            options = {**intent["payment_method_options"], **(params.get("payment_method_options") or {})}
            if (options.get("wechat_pay") or {}).get("client") != "web":
                message = "payment_method_options[wechat_pay][client] must be web for a QR code"
                return 400, _error("invalid_request_error", message, code="parameter_missing")
            next_action = {
                "type": "wechat_pay_display_qr_code",
                "wechat_pay_display_qr_code": {
                    "data": f"weixin://wxpay/bizpayurl?pr=fake{intent_id}",
                    "hosted_instructions_url": f"{self.url}/_fake/wechat/{intent_id}",
                    "image_data_url": "data:image/png;base64,iVBORw0KGgo=",
                    "image_url_png": f"{self.url}/_fake/wechat/{intent_id}.png",
                    "image_url_svg": f"{self.url}/_fake/wechat/{intent_id}.svg",
                },
            }
        else:
            return 400, _error("invalid_request_error", "the fake confirms only alipay and wechat_pay")
        if params.get("return_url"):
            self._return_urls[intent_id] = params["return_url"]
        intent.update(status="requires_action", next_action=next_action, last_payment_error=None)
        return 200, intent

    def _refund_create(self, intent_id: str, amount: int, metadata: dict):
        intent = self.intents[intent_id]
        charge = self.charges[intent["latest_charge"]]
        if amount <= 0 or charge["amount_refunded"] + amount > charge["amount"]:
            message = f"Refund amount ({amount}) is greater than unrefunded amount on charge"
            return 400, _error("invalid_request_error", message, code="amount_too_large")
        refund_id = f"re_fake_{next(self._ids):04d}"
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "currency": intent["currency"],
            "metadata": metadata,
            "payment_intent": intent_id,
            "status": "succeeded",
        }
        self.refunds[refund_id] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return 200, refund


def _error(type_: str, message: str, *, code: str = "") -> dict:
    error = {"type": type_, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


if __name__ == "__main__":  # pragma: no cover - a manual aid
    import sys

    args = sys.argv[1:] + [""] * 3
    server = FakeStripe(port=int(args[0] or 8117), webhook_url=args[1], webhook_secret=args[2]).start()
    print(f"fake Stripe on {server.url} (STRIPE_API_BASE={server.url}); Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
