"""DNS names in Libcloud's layout (``omnicloud.dns.providers``, ``omnicloud.dns.types``).

omnicloud has no dns driver yet: ``get_driver`` raises ``DriverNotAvailableError``.
"""
