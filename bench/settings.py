"""Settings of the benchmarks: the local settings (DEBUG off by the bench's environment) with a
URLconf that adds /bench/hello, the yardstick, so the production URLs never carry it."""

from shop.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
