"""The PDF renderer's errors (re-exported by ``canvas.pdf``)."""


class PdfError(Exception):
    """The PDF could not be rendered."""


class PdfTimeout(PdfError):
    """The render passed its deadline and was stopped."""
