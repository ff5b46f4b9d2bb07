"""The production settings, plus the ceiling view's URL. Used only by the benchmark."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
