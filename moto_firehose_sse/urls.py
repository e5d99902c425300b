"""moto's Firehose URLs, routed to ``FirehoseSSEResponse`` while the plugin is installed."""

from moto.firehose.urls import url_bases

from .responses import FirehoseSSEResponse

url_paths = {"{0}/$": FirehoseSSEResponse.dispatch}

__all__ = ["url_bases", "url_paths"]
