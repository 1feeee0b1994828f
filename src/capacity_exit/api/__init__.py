"""The HTTP routers, one module per domain: they parse a request, call one domain
service or flow, and shape the answer. They sit above every domain (and above
`flows`), so no domain package imports its own routes."""
