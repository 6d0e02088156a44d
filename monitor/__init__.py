"""Extraction, normalisation, diffing, change detection, feeds and the command line.

The core (decode, extract, normalize, diff, detect, feeds) is pure and imports no Scrapy.
"""
import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
