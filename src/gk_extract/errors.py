"""The project's exceptions. Each says who raises it and who catches it.

Every class has a ``kind``: the short name a failed document's ``error_kind`` records, so
that the batch (and an analyst) can tell failures apart without reading message text.
"""

from typing import ClassVar


class GkError(Exception):
    """Base class; the batch pipeline catches it and records a one-line reason."""

    kind: ClassVar[str] = "error"


class UnsupportedFormat(GkError):
    """Raised by ``formats.sniff`` when the bytes are no document format we read.

    The pipeline skips such files when walking a folder and fails them when named directly.
    """

    kind = "unsupported"


class InputError(GkError):
    """Raised by the pipeline when a file cannot be read or is over the size limit."""

    kind = "input"


class ParseError(GkError):
    """Raised by a format parser when a file of its format is broken or hostile.

    Caught by the pipeline: the document gets status ``failed`` with the message.
    """

    kind = "parse"


class DocumentTimeout(GkError):
    """Raised inside a worker when one document exceeds its time limit.

    A later run does not reuse such a result: it may allow more time.
    """

    kind = "timeout"


class ConverterMissing(ParseError):
    """Raised by ``parse.office`` when a .doc/.wps file needs LibreOffice and none is installed.

    Caught by the pipeline like any ParseError; its one-line message says how to install it.
    """

    kind = "converter_missing"


# Kinds the pipeline records for failures that are no GkError.
MEMORY_KIND = "memory"  # the document needed more than the worker's memory limit
CRASH_KIND = "crash"  # the worker process died on the document (memory, a native fault)
INTERNAL_KIND = "internal"  # an unexpected exception: a bug, reported with its type
