from _simulator import credentials

from omnicloud import Provider, get_driver
from omnicloud.cloudsigma import RetiredApiError

username, password, options = credentials()

cls = get_driver(Provider.CLOUDSIGMA)
try:
    driver = cls(username, password, region="zrh", api_version="1.0", **options)
except RetiredApiError as error:
    # CloudSigma retired API 1.0; the message explains how to use 2.0.
    print(error)
