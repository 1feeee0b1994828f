"""An enum column is a String(n) to the database and the enum to the code."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.schema import CreateTable

from capacity_exit.core.columns import EnumString


class Colour(StrEnum):
    red = "red"
    dark_blue = "dark_blue"


def _table(column_type: EnumString[Colour] | String) -> Table:
    return Table("paints", MetaData(), Column("colour", column_type))


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])  # type: ignore[no-untyped-call]
def test_ddl_is_a_plain_string_of_the_length(dialect: Dialect) -> None:
    ddl = str(CreateTable(_table(EnumString(Colour, 16))).compile(dialect=dialect))
    assert ddl == str(CreateTable(_table(String(16))).compile(dialect=dialect))


def test_stores_the_value_and_reads_the_member() -> None:
    table = _table(EnumString(Colour, 16))
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(insert(table), [{"colour": Colour.dark_blue}, {"colour": "red"}])
        raw = connection.execute(select(table.c.colour.cast(String))).scalars().all()
        typed = connection.execute(select(table.c.colour)).scalars().all()
        matched = connection.scalar(select(table.c.colour).where(table.c.colour == "dark_blue"))
    assert raw == ["dark_blue", "red"]
    assert typed == [Colour.dark_blue, Colour.red]
    assert all(type(v) is Colour for v in typed)
    assert matched is Colour.dark_blue


def test_refuses_a_string_outside_the_enum() -> None:
    table = _table(EnumString(Colour, 16))
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        table.create(connection)
        with pytest.raises(StatementError):
            connection.execute(insert(table), [{"colour": "green"}])
