"""Phone-first accounts: one-time SMS codes, signing in or up by mobile number, guests' numbers.

Codes
  ``code_send`` makes a 6-digit code, stores only its HMAC (``SECRET_KEY``, bound to number and
  purpose) and records the text message in the outbox (``core.outbox``): it is sent after the
  commit, never inside the request. The outbox row holds the code masked with a pad only the
  ``SECRET_KEY`` can make, so the database never holds a code in clear. Sends are refused (nothing
  saved, nothing sent) while the number's last code is younger than ``RESEND_SECONDS`` or the number
  or the requesting network has had its hourly allowance; those counts are made under the number's
  and the network's ``SendLock`` rows (locked in that order, number first), so parallel requests
  cannot overrun them.

  ``code_try`` counts one try against the newest code of the number and purpose (a conditional
  UPDATE, committed even when the code is wrong), and ``code_use`` marks it used inside the caller's
  transaction: a code works once, for ``TTL_MINUTES``, within ``MAX_ATTEMPTS`` tries.

Accounts
  ``phone_sign_in`` signs in the account that verified the number, links the number to the account
  already signed in, or creates an account with no e-mail address and no password. Every e-mail the
  shop sends skips an account without an address (Oscar's dispatcher, ``order_confirmation_send``,
  recall notices), and such a buyer's order confirmation goes by SMS (``order_mobile_record``).

Orders without an e-mail address
  One rule for every notice to a buyer: by e-mail when the order has an address, else by SMS to the
  verified number (the account's, or the guest's), never both. So the order confirmation
  (``order_mobile_record``), the payment receipt (``payment_receipt_sms_record``, called where a card
  payment or a bank transfer marks the order paid) and the "shipped" notice
  (``shop.order.services.shipment_notice_send``) go by SMS to a phone-only buyer, each once.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from core.outbox import outbox_add
from core.sms import send_sms
from core.validators import normalise_cn_mobile, validate_cn_mobile

from .models import GuestOrderMobile, OneTimeCode, SendLock, VerifiedMobile

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
Purpose = OneTimeCode.Purpose

#: Codes (and the networks that asked for them) are kept this long for staff to look into abuse.
KEEP_DAYS = 7

#: The order confirmation by SMS is recorded as this communication event, so it is sent once.
ORDER_PLACED_SMS = "ORDER_PLACED_SMS"

#: Likewise the "payment received" SMS (the receipt of a buyer with no e-mail address).
PAYMENT_RECEIVED_SMS = "PAYMENT_RECEIVED_SMS"


# --- Numbers -----------------------------------------------------------------------------------
def mobile_clean(value) -> str:
    """The 11 digits of a mainland mobile number as people type it (``+86 138 1234 5678``,
    ``0086-138…``, ``86138…``, full-width digits); ``ValidationError`` for anything else."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    digits = normalise_cn_mobile(text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    validate_cn_mobile(digits)
    return digits


def mobile_masked(number: str) -> str:
    """``138****5678``: enough for the owner to recognise, not enough to be read over a shoulder."""
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else number


# --- Codes -------------------------------------------------------------------------------------
def _limits() -> dict:
    return settings.PHONE_CODES


def code_hash(*, number: str, purpose: str, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 keyed with ``SECRET_KEY``, bound to number and purpose."""
    return salted_hmac("shop.phone.code", f"{purpose}:{number}:{code}", algorithm="sha256").hexdigest()


def _pad(code_id: int) -> int:
    digest = salted_hmac("shop.phone.code-pad", str(code_id), algorithm="sha256").digest()
    return int.from_bytes(digest, "big") % 10**CODE_DIGITS


def _masked(code_id: int, code: str) -> str:
    return f"{(int(code) + _pad(code_id)) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def _unmasked(code_id: int, masked: str) -> str:
    return f"{(int(masked) - _pad(code_id)) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def _lock(key: str) -> None:
    """Lock the ``SendLock`` row of ``key``, made if missing (or purged meanwhile, hence the loop)."""
    while True:
        SendLock.objects.get_or_create(key=key)
        if list(SendLock.objects.select_for_update().filter(key=key)):
            return


def code_send(*, number: str, purpose: str, network: str = "", now: datetime | None = None) -> OneTimeCode:
    """Make a code for ``number`` (already ``mobile_clean``) and have it texted after the commit.

    Raises ``ValidationError`` (nothing saved, nothing sent) within the resend cool-down, or when
    the number or the network (``core.network.client_network``) has had its codes for the hour.
    """
    limits = _limits()
    with transaction.atomic():
        _lock(f"mobile:{number}")  # lock order: the number's row, then the network's
        if network:
            _lock(f"network:{network}")
        # The time is read under the locks: a request that waited for them sends after the one before.
        now = now or timezone.now()
        hour_ago = now - timedelta(hours=1)
        recent = OneTimeCode.objects.filter(number=number, created_at__gt=hour_ago)
        last_sent = (
            recent.filter(purpose=purpose)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last_sent is not None:
            wait = limits["RESEND_SECONDS"] - (now - last_sent).total_seconds()
            if wait > 0:
                raise ValidationError(
                    _("A code was just sent to this number. You can ask for another in %(seconds)s s."),
                    code="phone_code_cooldown",
                    params={"seconds": math.ceil(wait)},
                )
        if recent.count() >= limits["PER_NUMBER_PER_HOUR"]:
            raise ValidationError(
                _("This number has had %(count)s codes in the last hour. Please try again later."),
                code="phone_code_number_limit",
                params={"count": limits["PER_NUMBER_PER_HOUR"]},
            )
        if network and (
            OneTimeCode.objects.filter(network=network, created_at__gt=hour_ago).count()
            >= limits["PER_NETWORK_PER_HOUR"]
        ):
            raise ValidationError(
                _("Too many codes were asked for from your network. Please try again later."),
                code="phone_code_network_limit",
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row = OneTimeCode(
            number=number,
            purpose=purpose,
            code_hash=code_hash(number=number, purpose=purpose, code=code),
            network=network,
            created_at=now,
            expires_at=now + timedelta(minutes=limits["TTL_MINUTES"]),
        )
        row.full_clean()
        row.save()
        outbox_add(
            kind="phone.code_sms",
            payload={"code_id": row.pk, "masked": _masked(row.pk, code)},
            key=f"phone:code:{row.pk}",
        )
    return row


def code_resend_in(*, number: str, purpose: str, now: datetime | None = None) -> int:
    """Seconds before ``number`` may have another code for ``purpose`` (0: now)."""
    now = now or timezone.now()
    last_sent = (
        OneTimeCode.objects.filter(number=number, purpose=purpose)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last_sent is None:
        return 0
    return max(math.ceil(_limits()["RESEND_SECONDS"] - (now - last_sent).total_seconds()), 0)


def codes_purge(*, now: datetime | None = None) -> int:
    """Forget codes older than ``KEEP_DAYS`` (with the networks they were asked from), and the
    ``SendLock`` rows of numbers and networks with no code in the last hour; returns codes purged."""
    now = now or timezone.now()
    purged, _by_model = OneTimeCode.objects.filter(created_at__lt=now - timedelta(days=KEEP_DAYS)).delete()
    recent = OneTimeCode.objects.filter(created_at__gt=now - timedelta(hours=1))
    keep = {f"mobile:{number}" for number in recent.values_list("number", flat=True)}
    keep |= {f"network:{network}" for network in recent.values_list("network", flat=True) if network}
    SendLock.objects.exclude(key__in=keep).delete()
    return purged


def code_sms_send(*, code_id: int, masked: str, now: datetime | None = None) -> bool:
    """Text the code (the outbox handler); True if sent. A code that can no longer be used (late
    delivery past its expiry, already used, or replaced by a newer one) is not sent."""
    now = now or timezone.now()
    row = OneTimeCode.objects.filter(pk=code_id).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return False
    newer = OneTimeCode.objects.filter(number=row.number, purpose=row.purpose, pk__gt=row.pk).exists()
    if newer:
        return False
    code = _unmasked(code_id, masked)
    if not hmac.compare_digest(code_hash(number=row.number, purpose=row.purpose, code=code), row.code_hash):
        # SECRET_KEY changed since the code was made: the buyer asks again.
        logger.warning("phone: code %s cannot be unmasked (SECRET_KEY changed?); not sent", code_id)
        return False
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(
            "[%(shop)s] Your verification code is %(code)s, valid for %(minutes)s minutes. "
            "Never tell it to anyone."
        ) % {"shop": settings.WAGTAIL_SITE_NAME, "code": code, "minutes": _limits()["TTL_MINUTES"]}
    send_sms(row.number, text)
    return True


def _code_newest(*, number: str, purpose: str) -> OneTimeCode | None:
    return OneTimeCode.objects.filter(number=number, purpose=purpose).order_by("-created_at", "-pk").first()


def code_try(*, number: str, purpose: str, code: str, now: datetime | None = None) -> OneTimeCode:
    """Count one try of ``code`` against the newest code of ``number`` for ``purpose``; return that
    code's row when it matches, else raise ``ValidationError`` saying what to do.

    The try is counted by one conditional UPDATE (``attempts < MAX_ATTEMPTS``, not used, not
    expired) before the code is compared, so a refused try stays counted (call it outside the
    transaction that acts on the code) and parallel guesses cannot exceed the limit.
    """
    now = now or timezone.now()
    limit = _limits()["MAX_ATTEMPTS"]
    row = _code_newest(number=number, purpose=purpose)
    ask_again = _("This code has expired or been used. Please ask for a new one.")
    if row is None:
        raise ValidationError(_("Please ask for a code first."), code="phone_code_missing")
    counted = OneTimeCode.objects.filter(
        pk=row.pk, used_at__isnull=True, expires_at__gt=now, attempts__lt=limit
    ).update(attempts=F("attempts") + 1)
    if not counted:
        if row.used_at is None and row.expires_at > now:
            raise ValidationError(
                _("Too many wrong tries. Please ask for a new code."), code="phone_code_attempts"
            )
        raise ValidationError(ask_again, code="phone_code_expired")
    row.refresh_from_db(fields=["attempts"])
    typed = unicodedata.normalize("NFKC", str(code or "")).replace(" ", "")
    if not hmac.compare_digest(code_hash(number=number, purpose=purpose, code=typed), row.code_hash):
        left = limit - row.attempts
        if left <= 0:
            raise ValidationError(
                _("Too many wrong tries. Please ask for a new code."), code="phone_code_attempts"
            )
        raise ValidationError(
            ngettext(
                "That code is not right. You can try %(left)s more time.",
                "That code is not right. You can try %(left)s more times.",
                left,
            ),
            code="phone_code_wrong",
            params={"left": left},
        )
    return row


def code_use(*, row: OneTimeCode, now: datetime | None = None) -> None:
    """Inside the caller's transaction: mark the code used, once (a second use is refused)."""
    now = now or timezone.now()
    if not OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise ValidationError(
            _("This code has expired or been used. Please ask for a new one."), code="phone_code_expired"
        )


# --- Accounts ----------------------------------------------------------------------------------
def _user_create(*, number: str, now: datetime):
    User = get_user_model()
    user = User(username=f"mobile_{secrets.token_hex(6)}", email="")
    user.set_unusable_password()
    user.full_clean()
    user.save()
    mobile = VerifiedMobile(user=user, number=number, verified_at=now)
    mobile.full_clean()
    mobile.save()
    return user


def mobile_link(*, user, number: str, now: datetime | None = None) -> VerifiedMobile:
    """Make ``number`` the verified mobile of ``user`` (replacing any other of theirs); refused when
    another account has it."""
    now = now or timezone.now()
    if VerifiedMobile.objects.select_for_update().filter(number=number).exclude(user=user).exists():
        raise ValidationError(
            _("This mobile number belongs to another account. Sign out, then sign in with it."),
            code="phone_number_taken",
        )
    mobile, _created = VerifiedMobile.objects.update_or_create(
        user=user, defaults={"number": number, "verified_at": now}
    )
    return mobile


def phone_sign_in(*, number: str, code: str, user=None, now: datetime | None = None):
    """Sign in or up with the code texted to ``number``: returns ``(user, created)``.

    With ``user`` signed in already, the number becomes that account's (``mobile_link``). Otherwise
    the account that verified the number, or a new one: no e-mail address, no password, the number
    verified. The try is counted even when refused (``code_try``); the rest is one transaction, so a
    refusal leaves nothing behind and the code still unused.
    """
    now = now or timezone.now()
    row = code_try(number=number, purpose=Purpose.SIGN_IN, code=code, now=now)
    with transaction.atomic():
        code_use(row=row, now=now)
        if user is not None and user.is_authenticated:
            mobile_link(user=user, number=number, now=now)
            return user, False
        existing = VerifiedMobile.objects.select_related("user").filter(number=number).first()
        if existing is not None:
            if not existing.user.is_active:
                raise ValidationError(
                    _("The account of this number is closed. Please contact customer services."),
                    code="phone_account_inactive",
                )
            return existing.user, False
        return _user_create(number=number, now=now), True


def account_mobile(user) -> str:
    """The verified mobile number of ``user``, or ""."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return VerifiedMobile.objects.filter(user=user).values_list("number", flat=True).first() or ""


def account_close(*, user, code: str, now: datetime | None = None) -> None:
    """Close (delete) the account of ``user``, proven by the code texted to its own verified number:
    how a buyer without a password (signed up by phone) does what Oscar's "delete profile" asks a
    password for. Their orders stay, without the account (Oscar's ``Order.user`` is set to NULL);
    the number, addresses, basket and memberships go with it. The try is counted even when
    refused; the rest is one transaction."""
    number = account_mobile(user)
    if not number:
        raise ValidationError(_("This account has no verified mobile number."), code="phone_number_missing")
    row = code_try(number=number, purpose=Purpose.CLOSE_ACCOUNT, code=code, now=now)
    with transaction.atomic():
        code_use(row=row, now=now)
        get_user_model().objects.filter(pk=user.pk).delete()


def guest_mobile_verify(*, number: str, code: str, now: datetime | None = None) -> str:
    """A guest proves ``number`` with its checkout code; returns the number for the checkout session."""
    row = code_try(number=number, purpose=Purpose.CHECKOUT, code=code, now=now)
    with transaction.atomic():
        code_use(row=row, now=now)
    return number


# --- Orders ------------------------------------------------------------------------------------
def order_mobile_record(*, order, guest_mobile: str | None = None) -> None:
    """Inside the placement transaction: keep a guest's verified number with the order and, when
    the order has no e-mail address to be confirmed to, record its confirmation SMS in the outbox."""
    if guest_mobile and not order.user_id:
        record = GuestOrderMobile(order=order, number=guest_mobile)
        record.full_clean()
        record.save()
    if order.email or not order_mobile(order):
        return
    outbox_add(
        kind="phone.order_confirmation_sms",
        payload={"order_id": order.pk},
        key=f"order:{order.pk}:confirmation-sms",
    )


def order_mobile(order) -> str:
    """The verified number an order is confirmed to: the guest's, or the buyer account's."""
    if order.user_id:
        mobile = VerifiedMobile.objects.filter(user_id=order.user_id).values_list("number", flat=True)
    else:
        mobile = GuestOrderMobile.objects.filter(order_id=order.pk).values_list("number", flat=True)
    return mobile.first() or ""


def order_absolute_url(order) -> str:
    """The full address where the buyer follows ``order`` (account page or guest status page), or ""."""
    from shop.order.services import order_status_path

    path = order_status_path(order)
    return f"{settings.OSCAR_URL_SCHEMA}://{settings.SITE_DOMAIN}{path}" if path else ""


def payment_receipt_sms_record(*, order) -> bool:
    """Inside the transaction marking ``order`` paid: when the order has no e-mail address but a
    verified mobile number, record its receipt SMS in the outbox (once per order); True if recorded.

    The rule: a buyer gets the receipt one way, by e-mail when the order has an address, else by
    SMS. The key is the order's, so a duplicate webhook (or a second payment) records nothing new.
    """
    if order.email or not order_mobile(order):
        return False
    outbox_add(
        kind="phone.payment_receipt_sms", payload={"order_id": order.pk}, key=f"order:{order.pk}:receipt-sms"
    )
    return True


def _order_sms_send(*, order_id: int, event_code: str, event_name: str, text_of) -> bool:
    """Text the buyer of ``order_id`` once per ``event_code``: the order row is locked and an Oscar
    communication event is checked first and written with the send, so a retry sends nothing."""
    Order = get_model("order", "Order")
    CommunicationEventType = get_model("communication", "CommunicationEventType")
    CommunicationEvent = get_model("order", "CommunicationEvent")
    order = Order._default_manager.select_for_update(of=("self",)).filter(pk=order_id).first()
    if order is None:
        return False
    event_type, _created = CommunicationEventType._default_manager.get_or_create(
        code=event_code, defaults={"name": event_name, "category": CommunicationEventType.ORDER_RELATED}
    )
    if order.communication_events.filter(event_type=event_type).exists():
        return False
    number = order_mobile(order)
    if not number:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        text = text_of(order)
    send_sms(number, text)
    CommunicationEvent._default_manager.create(order=order, event_type=event_type)
    return True


def _order_text(order, sentence: str) -> str:
    """``sentence`` (a translated message naming shop, number and total) about ``order``, then the
    link to follow the order when it has one."""
    text = sentence % {
        "shop": settings.WAGTAIL_SITE_NAME,
        "number": order.number,
        "total": currency(order.total_incl_tax, order.currency),
    }
    url = order_absolute_url(order)
    if url:
        text += " " + gettext("Follow it here: %(url)s") % {"url": url}
    return text


def _receipt_text(order) -> str:
    return _order_text(
        order, gettext("[%(shop)s] Payment of %(total)s for order %(number)s received, thank you.")
    )


@transaction.atomic
def payment_receipt_sms_send(*, order_id: int) -> bool:
    """Text the buyer that the payment of ``order_id`` arrived, once; True if this call sent it."""
    return _order_sms_send(
        order_id=order_id, event_code=PAYMENT_RECEIVED_SMS, event_name="付款成功短信", text_of=_receipt_text
    )


def _confirmation_text(order) -> str:
    return _order_text(order, gettext("[%(shop)s] Order %(number)s is placed, %(total)s in all."))


@transaction.atomic
def order_confirmation_sms_send(*, order_id: int) -> bool:
    """Text the buyer the order confirmation once; True if sent by this call (the outbox handler).

    Like the e-mail (``shop.order.services.order_confirmation_send``), once per order through an
    Oscar communication event (``_order_sms_send``)."""
    return _order_sms_send(
        order_id=order_id, event_code=ORDER_PLACED_SMS, event_name="订单确认短信", text_of=_confirmation_text
    )
