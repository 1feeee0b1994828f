"""Unknown query parameters are a 422, like unknown body fields: a typo in a filter
must not silently return everything."""

from __future__ import annotations

from fastapi import Request

from capacity_exit.core.errors import Unprocessable
from capacity_exit.core.problems import FieldProblem

# Answered by the authentication dependency with a clearer 401 (tokens in query strings).
_LEFT_TO_AUTH = frozenset({"access_token"})


def _declared(request: Request) -> frozenset[str] | None:
    """Query parameter names the matched operation declares, read from the app's own
    OpenAPI document (the contract clients see) by operation id, cached per app."""
    app = request.app
    table: dict[str, frozenset[str]] | None = getattr(app.state, "query_params", None)
    if table is None:
        table = {
            operation["operationId"]: frozenset(
                p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
            )
            for item in app.openapi().get("paths", {}).values()
            for operation in item.values()
        }
        app.state.query_params = table
    route = request.scope.get("route")
    operation_id = getattr(route, "operation_id", None) or getattr(route, "name", None)
    return table.get(operation_id) if operation_id else None


async def reject_unknown_query_parameters(request: Request) -> None:
    declared = _declared(request)
    if declared is None:  # not an operation of the contract (docs, static files)
        return
    unknown = sorted(set(request.query_params) - declared - _LEFT_TO_AUTH)
    if unknown:
        raise Unprocessable(
            f"Unknown query parameters: {', '.join(unknown)}.",
            code="unknown_parameter",
            errors=[
                FieldProblem(
                    parameter=name,
                    location="query",
                    detail="not a parameter of this operation",
                    code="unknown_parameter",
                )
                for name in unknown
            ],
        )
