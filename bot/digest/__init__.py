"""The weekly digest: data in, a Reply out; scheduling, exactly-once, chart, job."""

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
