"""The project's exceptions. Each says who raises it and who catches it."""


class GkError(Exception):
    """Base class; the batch pipeline catches it and records a one-line reason."""


class UnsupportedFormat(GkError):
    """Raised by ``parse.detect`` when the bytes are no document format we read.

    The pipeline skips such files when walking a folder and fails them when named directly.
    """


class ParseError(GkError):
    """Raised by a format parser when a file of its format is broken or hostile.

    Caught by the pipeline: the document gets status ``failed`` with the message.
    """


class DocumentTimeout(GkError):
    """Raised inside a worker when one document exceeds its time limit."""


class ConverterMissing(ParseError):
    """Raised by ``parse.office`` when a .doc/.wps file needs LibreOffice and none is installed.

    Caught by the pipeline like any ParseError; its one-line message says how to install it.
    """
