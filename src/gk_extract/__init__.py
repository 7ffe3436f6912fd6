"""gk_extract: China's government information disclosure annual reports as clean datasets."""

__version__ = "0.1.0"
