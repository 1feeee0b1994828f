"""Examples in the contract (`examples` of the models): answers the API gave, with
realistic names and codes. tests/core/test_openapi_examples.py validates them."""

from __future__ import annotations

from typing import Any

DAY: Any = {
    "date": "2026-11-30",
    "working_day": True,
    "kind": "workday",
    "name": None,
    "provisional": False,
}

DEADLINE: Any = {
    "start": "2026-11-30",
    "working_days": 10,
    "deadline": "2026-12-14",
    "provisional": False,
}

YEAR: Any = {
    "year": 2026,
    "status": "confirmed",
    "source": "package",
    "notice": None,
    "holidays": [
        {"date": "2026-01-01", "name": "元旦"},
        {"date": "2026-01-02", "name": "休息日（由 2026-01-04 调休）"},
        {"date": "2026-02-16", "name": "农历除夕"},
        {"date": "2026-02-17", "name": "春节"},
        {"date": "2026-02-18", "name": "春节"},
        {"date": "2026-02-19", "name": "春节"},
        {"date": "2026-02-20", "name": "休息日（由 2026-02-14 调休）"},
        {"date": "2026-02-23", "name": "休息日（由 2026-02-28 调休）"},
        {"date": "2026-04-05", "name": "清明节"},
        {"date": "2026-04-06", "name": "清明节（补假）"},
        {"date": "2026-05-01", "name": "劳动节"},
        {"date": "2026-05-02", "name": "劳动节"},
        {"date": "2026-05-04", "name": "劳动节（补假）"},
        {"date": "2026-05-05", "name": "休息日（由 2026-05-09 调休）"},
        {"date": "2026-06-19", "name": "端午节"},
        {"date": "2026-09-25", "name": "中秋节"},
        {"date": "2026-10-01", "name": "国庆节"},
        {"date": "2026-10-02", "name": "国庆节"},
        {"date": "2026-10-03", "name": "国庆节"},
        {"date": "2026-10-05", "name": "国庆节（补假）"},
        {"date": "2026-10-06", "name": "休息日（由 2026-09-20 调休）"},
        {"date": "2026-10-07", "name": "休息日（由 2026-10-10 调休）"},
    ],
    "adjusted_workdays": [
        {"date": "2026-01-04", "name": "调休上班"},
        {"date": "2026-02-14", "name": "调休上班"},
        {"date": "2026-02-28", "name": "调休上班"},
        {"date": "2026-05-09", "name": "调休上班"},
        {"date": "2026-09-20", "name": "调休上班"},
        {"date": "2026-10-10", "name": "调休上班"},
    ],
    "version": 0,
    "loaded_at": None,
    "loaded_by": None,
}

YEAR_LOADED: Any = {
    "year": 2027,
    "status": "confirmed",
    "source": "loaded",
    "notice": "国办发明电〔2026〕7号",
    "holidays": [{"date": "2027-01-01", "name": "元旦"}],
    "adjusted_workdays": [{"date": "2027-02-20", "name": "春节调休上班"}],
    "version": 1,
    "loaded_at": "2026-11-30T02:00:03.065306Z",
    "loaded_by": "account:01a2356e-4c15-70a3-b2e8-6d1f4a7c3e92",
}
