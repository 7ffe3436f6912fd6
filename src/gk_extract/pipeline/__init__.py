"""Batch extraction: files -> reports -> dataset, one status per document, never aborting.

* :mod:`~gk_extract.pipeline.inputs`: walking folders and stores, converting Office files;
* :mod:`~gk_extract.pipeline.worker`: one document under its time limit;
* :mod:`~gk_extract.pipeline.parts`: the saved per-document results a run resumes from;
* :mod:`~gk_extract.pipeline.pool`: worker processes with time and memory limits held
  from outside, each crash costing only its document;
* :mod:`~gk_extract.pipeline.batch`: the batch from inputs to the written dataset.

Importing the pipeline imports no PDF, OCR or Office code: parsers load on first use.
"""

from gk_extract.pipeline.batch import BatchResult, Settings, extract_paths, refresh, run_batch
from gk_extract.pipeline.parts import Outcome
from gk_extract.pipeline.pool import DEFAULT_MAX_MEMORY
from gk_extract.pipeline.worker import DEFAULT_TIMEOUT_S, extract_bytes, extract_one

__all__ = ["DEFAULT_MAX_MEMORY", "DEFAULT_TIMEOUT_S", "BatchResult", "Outcome", "Settings", "extract_bytes", "extract_one",
           "extract_paths", "refresh", "run_batch"]
