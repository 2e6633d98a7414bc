from _simulator import credentials

from omnicloud import Provider, get_driver

username, password, options = credentials()

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

subscription = driver.ex_create_subscription(
    amount=1, period="30 days", resource="vlan", auto_renew=True
)
print(subscription)
