"""CloudStack API commands, one module per resource family.

Each module lists its declarations in ``DECLARED``; :mod:`omnicloud.sim.cloudstack._table`
assembles them into the command table. Importing this package imports none of them.
"""
