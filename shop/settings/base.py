"""Settings shared by every environment. Everything configurable comes from the environment.

The contract (see docs/architecture.md): ``DATABASE_URL``, ``REDIS_URL``, ``STRIPE_*``,
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``EMAIL_URL``. Without ``REDIS_URL`` Celery runs
tasks eagerly and the cache lives in memory, so a fresh clone needs no services at all.
"""

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  (Oscar's documented way to get its defaults)
from oscar.defaults import OSCAR_DASHBOARD_NAVIGATION as _OSCAR_NAV

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the zero-setup default: WAL lets the dev server read while a write is open,
    # and IMMEDIATE transactions make the stock lock a real write lock.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

# PostgreSQL gives up waiting instead of holding a worker: a row lock held elsewhere longer than
# DB_LOCK_TIMEOUT_MS (5 s), or one statement running past DB_STATEMENT_TIMEOUT_MS (30 s), ends that
# statement with an error the buyer sees as "busy, try again" (503, core.db_busy), the basket given
# back. 0 turns either off. Management commands (migrate, seeding, imports by hand) run without
# both, so a long migration or data job is never cut short; runserver keeps them like the web.
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=5_000)
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
if _COMMAND and _COMMAND != "runserver":
    DB_LOCK_TIMEOUT_MS = DB_STATEMENT_TIMEOUT_MS = 0
# PostgreSQL's JIT compiles any statement its planner guesses to be costly (jit_above_cost). The
# shop's queries are short, but the "on sale" EXISTS filters are guessed at hundreds of thousands:
# a search of 10,000 products spent 0.8 s of its 0.87 s compiling, and took 1.55 s instead of
# 0.11 s (bench/storefront.py's products). Off, as for most OLTP sites; DB_JIT=1 turns it back on.
DB_JIT = env.bool("DB_JIT", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(
            None,
            [
                _options.get("options", ""),
                f"-c lock_timeout={DB_LOCK_TIMEOUT_MS}",
                f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
                "" if DB_JIT else "-c jit=off",
            ],
        )
    )

# --- Applications -----------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    # Oscar's dashboard still imports the flatpages app; it is installed but unused (Wagtail is
    # the one CMS): no middleware, no URLs, and its dashboard menu entry is removed below.
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]
OSCAR_APPS = [
    "shop.config.ShiyanShop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "shop.address.apps.AddressConfig",
    "shop.shipping.apps.ShippingConfig",
    "catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.partner.apps.PartnerConfig",
    "shop.basket.apps.BasketConfig",
    "shop.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "shop.customer.apps.CustomerConfig",
    "shop.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "shop.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "shop.dashboard.users.apps.UsersDashboardConfig",
    "shop.dashboard.orders.apps.OrdersDashboardConfig",
    "shop.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "shop.payment.dashboard.apps.PaymentDashboardConfig",
]
THIRD_PARTY_APPS = [
    "widget_tweaks",
    # Oscar imports haystack; the shop's search does not use it (see shop/search), so no index
    # is kept and the signal processor below does nothing.
    "haystack",
    "treebeard",
    "django_tables2",
    # django-ninja's API docs page uses its bundled Swagger UI (static files) when the app is
    # installed, instead of loading it from a CDN (unreachable from some networks in China).
    "ninja",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "axes",
]
LOCAL_APPS = [
    "core",
    "suppliers",
    "traceability",
    "channels",
    "cms",
    "impact",
    "shop.phone",
]
INSTALLED_APPS = DJANGO_APPS + OSCAR_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a sign-in refused for too many failures into core.signin.locked_out's page.
    "axes.middleware.AxesMiddleware",
    # A view stopped by the database's lock or statement timeout: 503 "busy, try again".
    "core.db_busy.DatabaseBusyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Oscar's templates get their hard-coded English words translated (core.template_loaders);
            # the cached loader keeps each compiled template, as APP_DIRS would.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader", "core.template_loaders.Loader"],
                )
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.core.context_processors.metadata",
                "core.context_processors.site_chrome",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account and address before any password is checked (core.signin).
    "core.signin.SignInThrottleBackend",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/shop/accounts/login/"
LOGIN_REDIRECT_URL = "/shop/"

# --- Sign-in throttling (django-axes, core/signin.py) ------------------------------------------
# After AXES_FAILURE_LIMIT wrong passwords for one account from one address, that account cannot be
# signed in to from that address for AXES_COOLOFF_TIME, on every login form. Counted in the database.
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.network.client_ip"
AXES_USERNAME_CALLABLE = "core.signin.username_of"
AXES_LOCKOUT_CALLABLE = "core.signin.locked_out"
# Successful sign-ins are not logged row by row (the attempts table alone does the throttling).
AXES_DISABLE_ACCESS_LOG = True

# --- Language, time, money --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Our strings, then Oscar/treebeard/Wagtail strings their own catalogues lack (locale_upstream/).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_upstream"]
LANGUAGE_COOKIE_NAME = "shop_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

OSCAR_DEFAULT_CURRENCY = "CNY"
# "¥" and two decimals in every language (babel would print "CN¥" in English).
OSCAR_CURRENCY_FORMAT = {"CNY": {"format": "¥#,##0.00", "currency_digits": False}}

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Application papers, certificate scans, inspection reports and batch sheets waiting for a worker:
# outside MEDIA_ROOT, so no web server serves them as files; views that check who asks send the papers
# (core.uploads.file_response), and sheets are never served. Web and worker share it.
PRIVATE_MEDIA_ROOT = Path(env("DJANGO_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
# Every stored upload gets a random name whose extension comes from its content (core.uploads).
UPLOAD_STORAGES = {
    "default": {"BACKEND": "core.uploads.UploadStorage"},
    "private": {"BACKEND": "core.uploads.PrivateUploadStorage"},
}
STORAGES = {
    **UPLOAD_STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000  # Wagtail's page editor posts many fields
# Pillow refuses images above this many pixels (decompression bombs) with an error.
PILLOW_MAX_IMAGE_PIXELS = 40_000_000
# Uploaded sheets are read in a child process held to this much memory (address space) and time
# (core.sheets.sheet_read_bounded); past either, the upload is refused with a message saying so.
SHEET_PARSE_MEMORY_MB = env.int("SHEET_PARSE_MEMORY_MB", default=512)
SHEET_PARSE_SECONDS = env.int("SHEET_PARSE_SECONDS", default=60)

# --- Cache, sessions, Celery ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Redis down: a miss, never an error (core/cache.py): 0.25 s to connect, 0.5 s to answer, then
    # Redis is skipped for 5 s; pages (and the shared page cache, core/page_cache.py) render afresh.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="shop"),
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT_SECONDS", default=0.25),
                "socket_timeout": env.float("CACHE_TIMEOUT_SECONDS", default=0.5),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    # No broker: tasks run in-process, at the point where they would have been queued.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Sessions (sign-in, basket cookie's owner, checkout steps) in the database only: a Redis outage
# signs nobody out and loses no checkout in progress (cached_db would call Redis on every request).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Storefront pages (lists and product pages) are shared for this many seconds among all visitors, each
# one's own parts put in per response (core.page_cache, core.personal_parts); 0 renders every page afresh.
ANONYMOUS_PAGE_CACHE_SECONDS = env.int("ANONYMOUS_PAGE_CACHE_SECONDS", default=10)
# Product views are counted in memory and written this often (catalogue.view_counts);
# 0 writes every view at once.
VIEW_COUNT_FLUSH_SECONDS = env.int("VIEW_COUNT_FLUSH_SECONDS", default=10)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged when it has finished, not when it starts: a worker killed mid-task leaves it
# in the broker. A pool process killed under it (OOM, SIGKILL) has the task requeued at once
# (reject_on_worker_lost); a whole worker gone is redelivered after the broker's visibility timeout
# (5 minutes, not Redis' default hour). Every task must therefore be safe to run twice (they are).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Longer than any task's hard time limit (180 s), so a slow task is never run twice meanwhile.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=300),
}
# A beat job has a worker write the time every minute (core.heartbeat); /readyz answers 503 when
# that time is older than this, so a worker that died for good shows instead of tasks waiting unseen.
WORKER_HEARTBEAT_STALE_SECONDS = env.int("WORKER_HEARTBEAT_STALE_SECONDS", default=180)
# The outbox (core/outbox.py): a side effect that keeps failing is tried this many times (backoff
# 30 s doubling to 30 min between tries, about 4 hours in all), then given up and left for staff.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
# A basket frozen for checkout this long with no order is opened again (shop/basket/services.py).
BASKET_FROZEN_THAW_MINUTES = env.int("BASKET_FROZEN_THAW_MINUTES", default=15)
# Periodic jobs live in one place: shop/schedule.py.
from shop.schedule import CELERY_BEAT_SCHEDULE  # noqa: E402,F401

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="十堰优品 <noreply@shiyan-select.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Text messages (core/sms.py): the console by default; a provider's backend class in production.
SMS_BACKEND = env("SMS_BACKEND", default="core.sms.ConsoleBackend")
# Sign-in and guest checkout by SMS code (shop/phone): a code works for TTL_MINUTES and MAX_ATTEMPTS
# tries; a number gets a new one after RESEND_SECONDS, at most PER_NUMBER_PER_HOUR an hour, and a
# network (IPv4 address or IPv6 /64) asks for at most PER_NETWORK_PER_HOUR an hour.
PHONE_CODES = {
    "TTL_MINUTES": 5,
    "MAX_ATTEMPTS": 5,
    "RESEND_SECONDS": 60,
    "PER_NUMBER_PER_HOUR": env.int("PHONE_CODES_PER_NUMBER_PER_HOUR", default=5),
    "PER_NETWORK_PER_HOUR": env.int("PHONE_CODES_PER_NETWORK_PER_HOUR", default=20),
}
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL

# --- Stripe -----------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# Without all three keys the card method is hidden (shop.payment.stripe_gateway.stripe_enabled).
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
# Stripe's client retries timeouts and 5xx itself, with the same idempotency key.
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# The Stripe payment methods checkout may offer: "card", "alipay", "wechat_pay" (comma-separated
# in the environment). Each is shown only with the three keys above and while the account's
# capability for it is active (shop.payment.capabilities); Alipay and WeChat Pay in CNY only.
# A method that can never be shown as configured is reported by `manage.py check` (payment.W001).
STRIPE_PAYMENT_METHODS = env.list("STRIPE_PAYMENT_METHODS", default=["card"])
# A card order not paid this long after it was placed is cancelled and its stock given back.
# Bank-transfer and pay-on-delivery orders are not touched by that job (see shop/payment/README.md).
STRIPE_UNPAID_ORDER_MINUTES = env.int("STRIPE_UNPAID_ORDER_MINUTES", default=30)

# --- Oscar ------------------------------------------------------------------------------------
OSCAR_SHOP_NAME = _("Shiyan Select")
OSCAR_SHOP_TAGLINE = _("Beijing buys from the source of its water")
OSCAR_HOMEPAGE = "/shop/"
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_REQUIRED_ADDRESS_FIELDS = ("last_name", "line1", "line4", "phone_number")
OSCAR_SLUG_ALLOW_UNICODE = True
OSCAR_THUMBNAILER = "catalogue.thumbnails.RenditionThumbnailer"
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
OSCAR_DASHBOARD_NAVIGATION = [
    {**section, "children": [c for c in section["children"] if c.get("url_name") != "dashboard:page-list"]}
    if "children" in section
    else section
    for section in _OSCAR_NAV
]


def _staff_only(user, url_name, url_args=None, url_kwargs=None):
    return user.is_staff


# Supplier review (applications, suspensions) lives in the suppliers app, under /shop/dashboard/suppliers/.
OSCAR_DASHBOARD_NAVIGATION.append(
    {
        "label": _("Suppliers"),
        "icon": "fas fa-tractor",
        "url_name": "supplier-review:list",
        "access_fn": _staff_only,
    }
)


def _can_recall(user, url_name, url_args=None, url_kwargs=None):
    return user.is_staff and user.has_perm("traceability.add_recall")


# Batch recalls (traceability/views/staff.py) live under /shop/dashboard/recalls/.
OSCAR_DASHBOARD_NAVIGATION.append(
    {
        "label": _("Recalls"),
        "icon": "fas fa-exclamation-triangle",
        "url_name": "recall:list",
        "access_fn": _can_recall,
    }
)
# Impact reporting (impact/), at /shop/dashboard/impact/.
OSCAR_DASHBOARD_NAVIGATION.append(
    {
        "label": _("Impact"),
        "icon": "fas fa-chart-line",
        "url_name": "impact:dashboard",
        "access_fn": _staff_only,
    }
)
# Online payments (shop/payment/dashboard: card, Alipay, WeChat Pay) sit under Fulfilment, after Orders.
for _section in OSCAR_DASHBOARD_NAVIGATION:
    if any(c.get("url_name") == "dashboard:order-list" for c in _section.get("children", [])):
        _section["children"].append(
            {"label": _("Online payments"), "url_name": "payment_dashboard:stripe-payment-list"}
        )
# Order states (labels and translations: shop/order/statuses.py). The order is placed before
# payment (see shop/checkout), so it starts here.
OSCAR_INITIAL_ORDER_STATUS = "Pending payment"
OSCAR_INITIAL_LINE_STATUS = "Pending payment"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending payment": ("Awaiting shipment", "Paid", "Cancelled"),
    "Awaiting shipment": ("Shipped", "Cancelled"),
    "Paid": ("Shipped", "Cancelled"),
    "Shipped": ("Complete",),
    "Complete": (),
    "Cancelled": (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE
OSCAR_ORDER_STATUS_CASCADE = {status: status for status in OSCAR_ORDER_STATUS_PIPELINE}

# --- Checkout: delivery and payment (shop/shipping, shop/checkout) ----------------------------
# Standard delivery within Beijing: free from this basket total (incl. discounts), else a flat fee.
SHOP_SHIPPING_FREE_FROM = env.str("SHOP_SHIPPING_FREE_FROM", default="99.00")
SHOP_SHIPPING_FLAT_FEE = env.str("SHOP_SHIPPING_FLAT_FEE", default="10.00")
# The payment methods offered at checkout, in display order (see shop/checkout/payment_methods.py).
# A method that needs an outside service hides itself while it is not configured.
SHOP_PAYMENT_METHODS = [
    # Stripe methods hide themselves unless STRIPE_PAYMENT_METHODS, the keys and the account allow.
    "shop.payment.methods.StripeAlipay",
    "shop.payment.methods.StripeWechatPay",
    "shop.payment.methods.StripeCard",
    "shop.checkout.payment_methods.BankTransfer",
    "shop.checkout.payment_methods.CashOnDelivery",
    "channels.payment.OnAccount",  # only members of an organisation on account (issue 13, part 5)
]
# How long an unpaid order keeps its stock, per payment method code (minutes): a bank transfer must
# arrive within 3 days (institutions pay over days, weekends included); an order to be paid on
# delivery must ship within 5 days. Past that, shop.checkout.holds cancels the order, gives the
# stock back and tells the buyer (e-mail and SMS). 0 switches a hold off. Card orders have their
# own, shorter limit (STRIPE_UNPAID_ORDER_MINUTES).
SHOP_PAYMENT_HOLD_MINUTES = {
    "bank-transfer": env.int("SHOP_BANK_TRANSFER_HOLD_MINUTES", default=3 * 24 * 60),
    "cash-on-delivery": env.int("SHOP_CASH_ON_DELIVERY_HOLD_MINUTES", default=5 * 24 * 60),
}
# The account buyers pay into by bank transfer (shown on the confirmation page and e-mail).
# The defaults are demo values: production must set all three.
SHOP_BANK_TRANSFER_ACCOUNT = {
    "holder": env.str("BANK_TRANSFER_HOLDER", default="十堰优品电子商务有限公司（演示）"),
    "bank": env.str("BANK_TRANSFER_BANK", default="中国工商银行北京朝阳支行（演示）"),
    "number": env.str("BANK_TRANSFER_NUMBER", default="0200 0000 0000 0000 000"),
}
# The confirmation e-mail is recorded in the outbox with the order (core/outbox.py), never sent inside
# the request; Oscar's own in-request dispatch is switched off in shop/checkout/views.py.

HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

PHONENUMBER_DEFAULT_REGION = "CN"

# --- Channels (channels/) ---------------------------------------------------------------------
# An organisation's invitation link works this many days.
CHANNELS_INVITATION_DAYS = env.int("CHANNELS_INVITATION_DAYS", default=7)
# Quotes (询价): a channel manager may price a line down to this share of the organisation's list
# price, not lower; a quote is valid this many days unless the manager sets another date.
CHANNEL_QUOTE_FLOOR_RATIO = env.float("CHANNEL_QUOTE_FLOOR_RATIO", default=0.70)
CHANNEL_QUOTE_VALID_DAYS = env.int("CHANNEL_QUOTE_VALID_DAYS", default=7)
# Standing deliveries (channels.services.standing): each due day becomes an order this many days
# ahead, paid by this method (a code of shop.checkout.payment_methods).
CHANNELS_STANDING_LEAD_DAYS = env.int("CHANNELS_STANDING_LEAD_DAYS", default=2)
CHANNELS_STANDING_PAYMENT_METHOD = env("CHANNELS_STANDING_PAYMENT_METHOD", default="bank-transfer")

# `seed_demo` creates one account per role with a printed password; production turns this off.
DEMO_ACCOUNTS_ENABLED = env.bool("DEMO_ACCOUNTS_ENABLED", default=True)

# --- Suppliers' public application (suppliers.services.application_allowance_take) ------------
# Each network (IPv4 address or IPv6 /64) may send this many applications a day, with at most this
# many MB of documents in all; counted in the database, so every web process shares the count.
SUPPLIER_APPLY_DAILY_LIMIT = env.int("SUPPLIER_APPLY_DAILY_LIMIT", default=5)
SUPPLIER_APPLY_DAILY_MB = env.int("SUPPLIER_APPLY_DAILY_MB", default=50)

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "十堰优品"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# The one public base URL of the site, for links made without a request: Wagtail's, QR codes on packs
# (traceability.rules), and Oscar's e-mails (scheme + Site.domain; the Site row is brought in line
# after every migrate, core.apps.sync_site).
SITE_DOMAIN = urlsplit(WAGTAILADMIN_BASE_URL).netloc
OSCAR_URL_SCHEMA = urlsplit(WAGTAILADMIN_BASE_URL).scheme or "https"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = PILLOW_MAX_IMAGE_PIXELS
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "txt", "xlsx"]
# Documents are always streamed by Django (never a redirect to /media/, which serves only pictures);
# cms.wagtail_hooks answers with core.uploads.file_response, so only PDF is shown inline.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Renditions are WebP (a third smaller than JPEG on phones); og:image asks for JPEG explicitly.
WAGTAILIMAGES_FORMAT_CONVERSIONS = {
    "avif": "webp",
    "bmp": "webp",
    "heic": "webp",
    "jpeg": "webp",
    "png": "webp",
    "webp": "webp",
}
# Moderation: editors submit, moderators review, then the page is published (cms migration 0005).
WAGTAIL_WORKFLOW_ENABLED = True
# No third-party avatar service: editors' e-mail hashes never leave the site (initials are shown).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- CMS (cms/) -------------------------------------------------------------------------------
# Blocks showing shop data (prices, stock, suppliers, batches) are cached this long: a change in
# the shop reaches every CMS page within it (sooner when saved through the ORM; see cms/cache.py).
CMS_SHOP_DATA_CACHE_SECONDS = env.int("CMS_SHOP_DATA_CACHE_SECONDS", default=60)
CMS_CHROME_CACHE_SECONDS = 600  # menus and footer; dropped at once when edited or a page changes
CMS_VIDEO_PROVIDERS = ["bilibili", "tencent", "youku"]  # the video sites editors may embed
# robots.txt: what search engines are asked to leave alone.
CMS_ROBOTS_DISALLOW = [
    "/shop/checkout/",
    "/shop/basket/",
    "/shop/accounts/",
    "/shop/dashboard/",
    "/shop/channels/",
    "/cms-admin/",
    "/django-admin/",
    "/i18n/",
]

# --- Client addresses (core.network) ----------------------------------------------------------
# How many proxies of ours stand in front of Django and append to X-Forwarded-For: 0 (Django is
# reached directly), 1 behind deploy/nginx.conf (docker-compose), 2 with a TLS load balancer in front.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# --- Security defaults (production tightens further) --------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"  # our page, in the visitor's language
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail's preview renders in a same-origin iframe
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "oscar.checkout": {"level": "WARNING"},
        "oscar.alerts": {"level": "WARNING"},
        # Wagtail runs its reference-index updates as django_tasks and logs each one at INFO.
        "django_tasks": {"level": "WARNING"},
        # django-axes announces its configuration at INFO on every start (and every manage.py run).
        "axes.apps": {"level": "WARNING"},
    },
}
