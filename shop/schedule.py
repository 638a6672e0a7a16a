"""Every periodic job, in one place, with what its schedule means (Celery beat reads this)."""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE: dict = {
    # Every day at 08:00 Shanghai time (CELERY_TIMEZONE): e-mail suppliers whose certificates expire in
    # 30 or 7 days. Running it more often (or twice after a restart) sends nothing twice: each
    # certificate gets at most one reminder per threshold (a unique CertificationReminder row).
    "suppliers-certification-expiry-reminders": {
        "task": "suppliers.tasks.certification_expiry_reminders_send_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every minute: deliver outbox messages (e-mails, SMS, outside calls recorded with the change
    # that caused them, core/outbox.py) that no worker delivered: Redis was down at the commit, or
    # an attempt failed and its backoff has passed. A message is claimed under a row lock, so this
    # job running twice, or beside the workers, never sends one twice.
    "core-outbox-sweep": {
        "task": "core.tasks.outbox_sweep_task",
        "schedule": crontab(minute="*"),
    },
    # Every minute: a worker writes the time (core.heartbeat); /readyz reports the workers stale
    # (503) when it is older than WORKER_HEARTBEAT_STALE_SECONDS (3 minutes): none is consuming.
    "core-worker-heartbeat": {
        "task": "core.tasks.worker_heartbeat_task",
        "schedule": 60.0,
        "options": {"expires": 55},  # a heartbeat queued while no worker ran is worthless later
    },
    # Wagtail scheduled publishing: a page set to go live (or expire) at 09:00 does so by 09:01.
    "cms-publish-scheduled-pages": {
        "task": "cms.pages_publish_scheduled_task",
        "schedule": 60.0,
    },
    # Every 5 minutes (offset 1): bank-transfer and pay-on-delivery orders still unpaid (not shipped,
    # on delivery) when their method's hold is over (SHOP_PAYMENT_HOLD_MINUTES: 3 and 5 days) are
    # cancelled, their stock and batches given back, and the buyer told by e-mail and SMS. An order
    # staff confirmed meanwhile is left alone (both lock the order row first).
    "checkout-unpaid-holds-expire": {
        "task": "shop.checkout.tasks.order_holds_expire_task",
        "schedule": crontab(minute="1-59/5"),
    },
    # Every 5 minutes (offset 3): baskets frozen for checkout more than BASKET_FROZEN_THAW_MINUTES
    # (15) ago with no order (the placement died: process killed, database gone) are opened again,
    # so their owners can check out. A placement takes seconds; one under way is never touched.
    "basket-frozen-baskets-thaw": {
        "task": "shop.basket.tasks.frozen_baskets_thaw_task",
        "schedule": crontab(minute="3-59/5"),
    },
    # --- Card payments (shop/payment/tasks.py) ---
    # Every minute: webhook events stored but never processed (Redis was down when they came,
    # or a worker died) are processed now, and "payment received" e-mails that could not be
    # queued are sent. With a healthy queue it finds nothing; it bounds a lost event to ~2 minutes.
    "payment-stripe-events-sweep": {
        "task": "shop.payment.tasks.stripe_events_sweep_task",
        "schedule": crontab(minute="*"),
    },
    # Every 5 minutes: card orders still unpaid STRIPE_UNPAID_ORDER_MINUTES (default 30) after
    # they were placed are cancelled, their PaymentIntent first, and their stock given back.
    # So an order is held for 30 to 35 minutes. Bank-transfer orders are not touched.
    "payment-stripe-unpaid-orders-cancel": {
        "task": "shop.payment.tasks.stripe_unpaid_orders_cancel_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every 5 minutes, offset from the job above: Stripe is asked about card payments still
    # awaiting 5 minutes after they started, so a webhook that never came still ends in the
    # right state; intents of orders cancelled elsewhere are cancelled at Stripe.
    "payment-stripe-reconcile": {
        "task": "shop.payment.tasks.stripe_payments_reconcile_task",
        "schedule": crontab(minute="2-59/5"),
    },
    # Every 30 minutes: the Stripe account's capabilities (card, Alipay, WeChat Pay payments) are
    # read again, so checkout stops offering a method the account lost (or offers one it gained)
    # within half an hour. Kept 6 hours in the cache: a missed run or two changes nothing.
    "payment-stripe-capabilities-refresh": {
        "task": "shop.payment.tasks.stripe_capabilities_refresh_task",
        "schedule": crontab(minute="4-59/30"),
    },
    # --- Batch sheet imports (traceability/import_jobs.py) ---
    # Every 5 minutes: an import whose worker died (no progress for 10 minutes, past the task's
    # hard time limit) is marked failed with a message, never run again; one still waiting 10
    # minutes after it was queued (the broker lost it) is queued again; uploads of imports that
    # ended a day ago are deleted. With healthy workers it finds nothing.
    "traceability-batch-imports-sweep": {
        "task": "traceability.tasks.batch_imports_sweep_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every day at 00:05: batches on sale past their best-before date go on hold (they were already
    # never allocated), and batches whose compliance certificate expired are held by the food-safety
    # gates, their cooperative and staff told. Running it twice holds nothing twice.
    "traceability-batches-expiry-hold": {
        "task": "traceability.tasks.batches_expiry_hold_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Every night at 02:30: every batch's event chain is checked against its anchors (an event
    # edited or deleted, the newest or all of them, a chain re-hashed, a batch, inspection or
    # certificate field changed behind the services) and every daily root; any finding is e-mailed
    # to the food-safety staff through the outbox. Then the day's root over all chain heads is
    # written (once a day: running it twice writes one root and alerts once per set of findings).
    "traceability-chains-verify": {
        "task": "traceability.tasks.chains_verify_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every day at 03:30: API idempotency keys older than 7 days are forgotten (a client retries
    # within minutes; a week is far more than any retry needs).
    "traceability-api-idempotency-keys-purge": {
        "task": "traceability.tasks.api_idempotency_keys_purge_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # --- Channels: quotes (channels/tasks.py) ---
    # Every day at 00:05 Shanghai time: priced quotes whose validity date has passed become
    # "expired" (acceptance checks the date itself too, so a late run never lets one through).
    # Running it twice changes nothing the second time.
    "channels-quotes-expire": {
        "task": "channels.tasks.quotes_expire_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # --- Payment terms on account (channels/account_tasks.py, issue 13 part 5) ---
    # Every day at 09:00: invoices 1, 7 and 30 days overdue are reminded by e-mail, through the outbox;
    # one InvoiceReminder row per invoice and step (unique), so running twice sends nothing twice.
    "channels-overdue-reminders": {
        "task": "channels.account_tasks.overdue_reminders_task",
        "schedule": crontab(hour=9, minute=0),
    },
    # On the 1st at 06:00: last month's statement of account (PDF and XLSX) of every organisation on
    # account; statements whose task was lost are queued again.
    "channels-statements-monthly": {
        "task": "channels.account_tasks.statements_monthly_task",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # --- Channels: standing deliveries and delivery documents (channels/services/standing.py,
    # channels/documents.py) ---
    # Every hour at :17: each standing delivery due within CHANNELS_STANDING_LEAD_DAYS becomes an
    # order, once (a unique StandingRun per schedule and day: a second run, even a concurrent one,
    # places nothing); one short of stock is tried again every hour and reported once.
    "channels-standing-orders-place": {
        "task": "channels.tasks.standing_orders_place_task",
        "schedule": crontab(minute=17),
    },
    # Every 5 minutes: documents whose worker died are failed, lost ones queued again.
    "channels-documents-sweep": {
        "task": "channels.tasks.documents_sweep_task",
        "schedule": crontab(minute="3-59/5"),
    },
    # --- Impact reporting (impact/rollup.py) ---
    # Every minute: days marked dirty by order changes (paid, delivered on account, refunded,
    # cancelled) are re-aggregated; normally a refresh queued after each commit already did it.
    "impact-dirty-days-refresh": {
        "task": "impact.tasks.dirty_days_refresh_task",
        "schedule": crontab(minute="*"),
    },
    # Every night at 02:40: every roll-up rebuilt from the orders, from scratch.
    "impact-rollups-rebuild": {
        "task": "impact.tasks.rollups_rebuild_task",
        "schedule": crontab(hour=2, minute=40),
    },
    # --- Phone accounts (shop/phone) ---
    # Every day at 04:10: SMS codes older than 7 days are forgotten, with the network addresses that
    # asked for them (the hourly limits need one hour of them); running it twice forgets nothing more.
    "phone-codes-purge": {
        "task": "shop.phone.tasks.phone_codes_purge_task",
        "schedule": crontab(hour=4, minute=10),
    },
}
