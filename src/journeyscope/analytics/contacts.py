"""Who a customer is, for lists people act on: their main identifiers beside the id.

A list of customers to call back (dropped at a step, at risk of churning) is useless with
internal ids only; every such list joins this one per-customer row, so they all carry the
same columns, in the same order, on both engines.
"""

from __future__ import annotations

from journeyscope.engine.dialect import Sql

__all__ = ["CONTACT_COLUMNS", "contacts_sql"]

#: The columns :func:`contacts_sql` adds to a customer list
CONTACT_COLUMNS = ("email", "phone", "user_id", "identifiers")


def contacts_sql(q: Sql, identities: str) -> str:
    """``SELECT customer_id, email, phone, user_id, identifiers`` — one row per customer of
    the ``(customer_id, id_type, value)`` view ``identities``; several values of one type
    are joined by spaces, ``identifiers`` lists every ``TYPE:VALUE``."""
    pair = "n.id_type || ':' || n.value"
    return f"""SELECT n.customer_id,
    {q.joined_text("n.value", "n.id_type = 'email'")} AS email,
    {q.joined_text("n.value", "n.id_type = 'phone'")} AS phone,
    {q.joined_text("n.value", "n.id_type = 'user_id'")} AS user_id,
    {q.joined_text(pair, "n.id_type IS NOT NULL")} AS identifiers
FROM {identities} n GROUP BY n.customer_id"""
