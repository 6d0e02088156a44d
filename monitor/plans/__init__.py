"""Plans, not pages: what a page says about government plans (title, issuer, region, document number,
dates, numeric targets, sectors, lifecycle) and which plan it is, as pure functions over extracted text.

The entry point is :func:`monitor.plans.analyse.analyse_page`; the pieces live in one module each.
"""
from __future__ import annotations
