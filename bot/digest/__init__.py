"""The weekly digest, pure: data in, a Reply out; headroom, schedule, chart."""

from bot.digest.build import build_digest, chart_data
from bot.digest.data import AlertRecord, ChangeRecord, DigestInput, DigestSource, empty_input

__all__ = [
    "AlertRecord",
    "ChangeRecord",
    "DigestInput",
    "DigestSource",
    "build_digest",
    "chart_data",
    "empty_input",
]
