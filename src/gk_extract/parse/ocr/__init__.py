"""Scans and pictures through OCR, from the ``[ocr]`` extra (RapidOCR on onnxruntime).

``engine`` (the recogniser, loaded once per process) -> ``upright`` (levelling, turning)
and ``rulings`` (deskew, rulings found in the image) -> ``readings`` (slashes, cells read
again) -> ``page`` (one image as laid-out page) -> ``document`` (the ways in: image files,
unreadable PDF pages, HTML images; assembled by ``parse/layout``).

Nothing is imported here, so naming this package costs no OpenCV or onnxruntime import.
"""
