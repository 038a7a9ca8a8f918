"""A local marketplace simulator for the demo, the end-to-end tests and the benchmarks.

`sandbox.server.run_in_thread()` / `serve()` serve a `sandbox.catalog.Catalog` through
`sandbox.app.SandboxApp`; pages come from `sandbox/templates/` (context in `sandbox.render`).
"""
