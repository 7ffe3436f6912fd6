"""Tools for the tests and the benchmarks, not used by the product.

* :mod:`~gk_extract.testing.synth`: synthetic reports with known values, in every format;
* :mod:`~gk_extract.testing.loopback`: a small government-style site served on loopback.

Nothing under ``gk_extract`` outside this package imports it (``tests/test_architecture.py``),
and its code is not part of the results fingerprint (``pipeline/parts.py``).
"""
