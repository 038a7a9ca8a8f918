"""A Merkle tree over chain heads: one timestamp token vouches for many listings' chains.

Leaves and inner nodes are hashed with different prefixes (0x00, 0x01, as in RFC 6962) so a leaf can never
pass for an inner node. An odd node at the end of a level goes up unchanged. A proof is the list of
(side, sibling) pairs from the leaf to the root; anyone can recompute the root from it with `root_from`.
"""
from __future__ import annotations

import hashlib


def leaf(listing_id: int, seq: int, chain_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + f"{listing_id}:{seq}:{chain_hash}".encode()).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    if not leaves:
        raise ValueError("a Merkle tree needs at least one leaf")
    levels = [leaves]
    while len(levels[-1]) > 1:
        level = levels[-1]
        levels.append([_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                       for i in range(0, len(level), 2)])
    return levels


def root(leaves: list[bytes]) -> bytes:
    return _levels(leaves)[-1][0]


def proof(leaves: list[bytes], index: int) -> list[list[str]]:
    """[["left"|"right", sibling hex], ...] from the leaf at `index` up to the root."""
    path = []
    for level in _levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(["left" if sibling < index else "right", level[sibling].hex()])
        index //= 2
    return path


def root_from(leaf_hash: bytes, path: list[list[str]]) -> bytes:
    node = leaf_hash
    for side, sibling in path:
        other = bytes.fromhex(sibling)
        node = _node(other, node) if side == "left" else _node(node, other)
    return node
