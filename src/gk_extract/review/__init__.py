"""The local review app (``gk-extract review DATA``): a reviewer checks a dataset's values
against their sources and records decisions about cells.

* ``app.py``: the routes and the server (Starlette on uvicorn, loopback by default);
* ``security.py``: the access token, CSRF, and what a page may load;
* ``data.py``: the dataset as the pages read it (filters and counts, one report, an agency);
* ``source.py``: a report's source file, found by its id inside DATA or STORE only;
* ``render.py``: PDF pages as images, stored web pages disarmed and marked, Word tables;
* ``grids.py``: the template tables of sections 二-四 as grids of cell keys;
* ``compare.py``: two years of one agency: changed cells, sentences, cross-year checks;
* ``pages.py``: what each page shows; ``templates/`` and ``static/``: how.

Decisions are stored by :mod:`gk_extract.export.corrections`; cells.parquet is never changed.
"""
