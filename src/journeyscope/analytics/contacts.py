"""Who a customer is, for lists people act on: their main identifiers beside the id.

A list of customers to call back (dropped at a step, at risk of churning) is useless with
internal ids only; every such list joins this one per-customer row, so they all carry the
same columns, in the same order, on both engines.
"""

from __future__ import annotations

from journeyscope.engine.dialect import Sql

__all__ = ["CONTACT_COLUMNS", "contact_columns", "contacts_sql"]

#: One column per identifier type a team reaches a customer by (the rest are in
#: ``identifiers``), after the first four lists always had
_BY_TYPE = ("zalo_id", "loyalty_id", "fb_psid", "device_id", "anonymous_id")
#: The columns :func:`contacts_sql` adds to a customer list
CONTACT_COLUMNS = ("email", "phone", "user_id", "identifiers", *_BY_TYPE)


def contact_columns(alias: str) -> str:
    """``n.email, n.phone, ...``: the contact columns of ``alias``, in list order."""
    return ", ".join(f"{alias}.{c}" for c in CONTACT_COLUMNS)


def contacts_sql(q: Sql, identities: str) -> str:
    """``SELECT customer_id, <CONTACT_COLUMNS>`` — one row per customer of
    the ``(customer_id, id_type, value)`` view ``identities``; several values of one type
    are joined by spaces, ``identifiers`` lists every ``TYPE:VALUE``."""
    pair = "n.id_type || ':' || n.value"
    by_type = ",\n    ".join(
        q.joined_text("n.value", f"n.id_type = '{t}'") + f" AS {t}" for t in _BY_TYPE
    )
    return f"""SELECT n.customer_id,
    {q.joined_text("n.value", "n.id_type = 'email'")} AS email,
    {q.joined_text("n.value", "n.id_type = 'phone'")} AS phone,
    {q.joined_text("n.value", "n.id_type = 'user_id'")} AS user_id,
    {q.joined_text(pair, "n.id_type IS NOT NULL")} AS identifiers,
    {by_type}
FROM {identities} n GROUP BY n.customer_id"""
