"""Find customers from what a person types: a customer id, ``TYPE:VALUE``, or a bare
phone number / e-mail / id in any spelling (``0912 345 678``, ``+84912345678``).

A bare text is tried as every identifier type whose normaliser accepts it, so the same
rules that stitched the data decide what the text means (a phone in any Vietnamese
spelling becomes the one E.164 value the workspace stores). The web app's customer search
calls this; ``customers show`` takes one of the identifiers it returns.
"""

from __future__ import annotations

from typing import Any

from journeyscope.errors import InputError, Location, NotFound
from journeyscope.events.schema import IDENTIFIER_TYPES
from journeyscope.events.workspace import Workspace
from journeyscope.identity.explain import find_node
from journeyscope.identity.rules import Rules

#: a bare number this short is a customer id; a phone number has at least nine digits
MAX_ID_DIGITS = 8
MAX_TEXT = 320


def _empty_search() -> InputError:
    return InputError(
        "type a phone number, an e-mail, a customer id or TYPE:VALUE",
        "hãy nhập số điện thoại, e-mail, mã khách hàng hoặc LOẠI:GIÁ_TRỊ",
        location=Location(field="q"),
        hint_en="for example 0912 345 678, lan@example.com, 42 or user_id:u100122",
        hint_vi="ví dụ 0912 345 678, lan@example.com, 42 hoặc user_id:u100122",
        code="invalid_option",
    )


def candidates(ws: Workspace, text: str) -> list[str]:
    """The ``TYPE:VALUE`` readings of ``text`` that the workspace's normaliser accepts."""
    id_type, sep, _ = text.partition(":")
    if sep and id_type in IDENTIFIER_TYPES:
        return [text]
    rules = Rules.from_config(ws.config.identity)
    return [f"{t}:{text}" for t in IDENTIFIER_TYPES if rules.normalize(t, text)[0] is not None]


def _customer_match(ws: Workspace, text: str) -> dict[str, Any] | None:
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS):
        return None
    cid = int(text)
    if not ws.scalar("SELECT count(*) FROM identity_customers WHERE customer_id = ?", [cid]):
        return None
    return {"customer_id": cid, "identifier": None, "status": "customer_id"}


def find_customers(ws: Workspace, text: str) -> dict[str, Any]:
    """Every customer (or excluded identifier) ``text`` can name, one entry per customer.

    ``matches``: ``customer_id`` (``None`` for an identifier that links to no customer,
    with its ``status``: blocked, excluded), the normalised ``identifier`` that matched
    (``None`` when the text was the customer id itself)."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise _empty_search()
    matches: list[dict[str, Any]] = []
    seen: set[int] = set()
    by_id = _customer_match(ws, text)
    if by_id is not None:
        matches.append(by_id)
        seen.add(by_id["customer_id"])
    for reading in candidates(ws, text):
        try:
            _, id_type, value, customer, status, _ = find_node(ws, reading)
        except NotFound:
            continue
        if customer is not None and int(customer) in seen:
            continue
        if customer is not None:
            seen.add(int(customer))
        matches.append(
            {
                "customer_id": None if customer is None else int(customer),
                "identifier": f"{id_type}:{value}",
                "status": status,
            }
        )
    return {"query": text, "matches": matches}
