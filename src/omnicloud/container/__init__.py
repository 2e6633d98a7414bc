"""Container names in Libcloud's layout: ``omnicloud.container.providers`` and ``.types``.

omnicloud has no container driver yet: ``get_driver`` raises ``DriverNotAvailableError``.
"""
