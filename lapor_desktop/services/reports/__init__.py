"""The one query layer for the office's figures: the monthly recap and the dashboard read only it.

Every figure is aggregated in the database (GROUP BY) and comes out as a
frozen dataclass; deadlines use the same rules, working-day calendar and
office SLA settings as a complaint's detail (``services/sla.py``). Drafts
are never counted; rahasia complaints are counted but never described; no
identity field is ever read.
"""
