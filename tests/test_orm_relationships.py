"""Every ORM relationship is `lazy="raise"` (issue 15): none loads rows behind the caller's
back. A lazy load is a query outside the repository (and, under asyncio, an error at
an arbitrary attribute access), so related rows are loaded explicitly, in the
repository's statement (`selectinload`, a join). There are no relationships today; this
holds future ones to it."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship

from capacity_exit.core.db import Base


def not_raising(mappers: registry) -> list[str]:
    """`Class.attribute (lazy=…)` for each relationship that is not `lazy="raise"`."""
    return [
        f"{mapper.class_.__name__}.{relation.key} (lazy={relation.lazy!r})"
        for mapper in mappers.mappers
        for relation in mapper.relationships
        if relation.lazy != "raise"
    ]


def test_every_relationship_raises_on_lazy_load() -> None:
    assert not_raising(Base.registry) == []


def test_a_lazily_loading_relationship_is_found() -> None:
    class Planted(DeclarativeBase):
        pass

    class Parent(Planted):
        __tablename__ = "parent"
        id: Mapped[int] = mapped_column(primary_key=True)
        children: Mapped[list[Child]] = relationship(back_populates="parent")
        kept: Mapped[list[Child]] = relationship(lazy="raise", viewonly=True)

    class Child(Planted):
        __tablename__ = "child"
        id: Mapped[int] = mapped_column(primary_key=True)
        parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"))
        parent: Mapped[Parent] = relationship(back_populates="children", lazy="raise")

    assert not_raising(Planted.registry) == ["Parent.children (lazy='select')"]
