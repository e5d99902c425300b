"""``python -m moto_firehose_sse.server``: the same as ``moto-firehose-sse-server``."""

from .cli import main

main()
