from _simulator import credentials

from omnicloud import Provider, get_driver

username, password, options = credentials()

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

balance = driver.ex_get_balance()

values = {"balance": balance["balance"], "currency": balance["currency"]}
print("Account balance: {balance} {currency}".format(**values))
