"""Synthetic municipalities at scale (``manage.py generate_synthetic``).

A ward like 文京区 (``ward``, about 240,000 residents) or like 江戸川区 with ten
fiscal years of records (``large``: about 1,000,000 persons, 3,000,000
consultations, 300,000 outreach contacts, 20,000 cases, 10,000 meetings), or a
prefecture's worth of municipalities of different sizes (``--tenants``). Used
by the benchmarks (``bench/``) and the load test; never for a real
installation. Everything is synthetic and drawn from a seeded generator, so the
same scale gives the same rows on SQLite and on PostgreSQL.

The generator is ``tsunagu.demo.synthetic.generator``; the names it draws
from, ``tsunagu.demo.synthetic.names``.
"""
