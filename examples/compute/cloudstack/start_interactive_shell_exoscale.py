"""An interactive shell on EXOSCALE (or the simulator): explore the driver with tab completion.

Real cloud: export EXOSCALE_API_KEY and EXOSCALE_SECRET_KEY.
"""

import code
import sys

from _sim import credentials

from omnicloud import Provider, get_driver

cls = get_driver(Provider.EXOSCALE)
driver = cls(**credentials("EXOSCALE"))
print(driver)
if sys.stdin.isatty():
    code.interact(banner="driver = " + repr(driver), local={"driver": driver})
else:
    print([location.name for location in driver.list_locations()])
