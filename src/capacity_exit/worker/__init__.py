"""The job runner behind `capacity-exit worker`: every domain's declared jobs, queued and
periodic, in one process (`registry` lists where they are declared, `runner` runs them,
`periodic` claims the periodic ones once per period across all workers)."""
