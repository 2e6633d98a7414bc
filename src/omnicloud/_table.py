"""The one table of drivers: one :class:`DriverEntry` per (API family, provider).

Each entry says where the sync and async driver classes live, the keyword presets a Libcloud
constant implies (an S3 region), and which profile kinds :func:`omnicloud.connect` builds it for:
the credentials a profile must or may give, the options it accepts (with the cs-style spellings of
``cloudstack.ini``) and the built-in simulator kinds. :mod:`omnicloud._registry` (``get_driver``,
``omnicloud.aio``, the Libcloud-layout modules), :mod:`omnicloud._connect` and the CLI read it.
Adding a provider is one entry here (plus its driver module, and a ``get_driver`` overload in
:mod:`omnicloud._registry` for its typed class). Importing this module imports no driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ENTRIES", "FAMILIES", "S3_REGIONS", "Credential", "DriverEntry"]

#: Every API family, as ``get_driver``/``connect`` spell it ("backup" is reserved: no drivers).
FAMILIES = ("compute", "storage", "loadbalancer", "dns", "container", "backup")

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


@dataclass(frozen=True, slots=True)
class Credential:
    """One value a profile hands the driver.

    ``names`` are the accepted spellings (case-insensitive, first found wins); ``keyword`` is the
    driver argument (None: the next positional one). A value read from ``options_too`` may also
    come from the profile's options; ``path`` values have ``~`` expanded; a missing ``data_dir``
    value defaults to that folder of the user data directory.
    """

    names: tuple[str, ...]
    what: str
    keyword: str | None = None
    required: bool = True
    options_too: bool = False
    path: bool = False
    data_dir: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class DriverEntry:
    """One driver: ``family``/``provider`` names, ``"module:Class"`` paths and what profiles need.

    ``kinds`` are the profile kinds built from credentials; ``simulators`` maps a built-in
    simulator kind to the ``"module:function"`` that connects the driver class to it (imported
    only when such a profile is used); ``options`` maps an accepted option name (or alias) to
    the driver keyword.
    """

    family: str
    provider: str
    sync: str
    asynchronous: str | None = None
    preset: Mapping[str, Any] = field(default_factory=_empty)
    kinds: tuple[str, ...] = ()
    credentials: tuple[Credential, ...] = ()
    options: Mapping[str, str] = field(default_factory=_empty)
    simulators: Mapping[str, str] = field(default_factory=_empty)

    def profile_kinds(self) -> tuple[str, ...]:
        """Every profile kind that gets this driver (credential kinds, then simulator kinds)."""
        return (*self.kinds, *self.simulators)


def _frozen(**values: str) -> Mapping[str, str]:
    return MappingProxyType(values)


_CS = "omnicloud.compute.drivers.cloudstack"
_LB = "omnicloud.loadbalancer.drivers.cloudstack"
_ALB = "omnicloud.loadbalancer.drivers.alb"
_ELB = "omnicloud.loadbalancer.drivers.elb"
_SIGMA = "omnicloud.compute.drivers.cloudsigma"
_EC2 = "omnicloud.compute.drivers.ec2"
_LIBVIRT = "omnicloud.compute.drivers.libvirt"
_ROUTE53 = "omnicloud.dns.drivers.route53"
_POWERDNS = "omnicloud.dns.drivers.powerdns"
_DOCKER = "omnicloud.container.drivers.docker"
_LOCAL = "omnicloud.storage.drivers.local"
_S3 = "omnicloud.storage.drivers.s3"
_SWIFT = "omnicloud.storage.drivers.swift"
_OPENSTACK = "omnicloud.compute.drivers.openstack"
_AZURE_BLOBS = "omnicloud.storage.drivers.azure_blobs"
_GCS = "omnicloud.storage.drivers.gcs"
_GCE = "omnicloud.compute.drivers.gce"
_AZURE_ARM = "omnicloud.compute.drivers.azure_arm"
_AZURE_CLASSIC = "omnicloud.compute.drivers.azure_classic"
_SIMULATED = "omnicloud._simulated"

# Driver options a CloudStack profile may carry (credentials or options); the cs-style names of
# cloudstack.ini are translated.
_CLOUDSTACK_OPTIONS = _frozen(
    timeout="timeout",
    verify="verify",
    retry="retries",
    retries="retries",
    job_timeout="job_timeout",
    poll_interval="poll_interval",
    method="method",
    page_size="page_size",
    proxy="proxy",
    project="project",
    dangerous_no_tls_verify="insecure",
    insecure="insecure",
)
_CLOUDSIGMA_OPTIONS = _frozen(timeout="timeout", verify="verify", retries="retries")

# Where an OpenStack profile authenticates (Keystone or Swift's own auth), for compute and Swift
_KEYSTONE_SCOPE = (
    Credential(("auth_url", "ex_force_auth_url"), "the auth URL", "ex_force_auth_url"),
    Credential(
        ("auth_version", "ex_force_auth_version"),
        "an auth version",
        "ex_force_auth_version",
        required=False,
    ),
    Credential(
        ("project", "tenant", "ex_tenant_name"),
        "a project",
        "ex_tenant_name",
        required=False,
    ),
    Credential(("domain", "ex_domain_name"), "a domain", "ex_domain_name", required=False),
    Credential(("region", "ex_force_service_region"), "a region", "region", required=False),
)

_CS_KEY = Credential(("key", "api_key", "apikey"), "an API key")
_CS_SECRET = Credential(("secret", "secret_key", "secretkey"), "a secret key")
_CS_ENDPOINT = Credential(("endpoint", "url"), "an endpoint URL", "url")
_REGION = Credential(("region",), "a region", "region", required=False)
_S3_CREDENTIALS = (
    Credential(("key", "access_key", "aws_access_key_id", "ec2_access_id"), "an access key"),
    Credential(("secret", "secret_key", "aws_secret_access_key", "ec2_secret_key"), "a secret key"),
    _REGION,
    Credential(("endpoint", "url"), "an endpoint URL", "endpoint", required=False),
)

# EC2 takes the AWS CLI's credentials chain: every value is optional (environment, an AWS
# profile named by aws_profile, the shared files, credential_process fill the gaps).
_AWS_CREDENTIALS = (
    Credential(
        ("key", "access_key", "aws_access_key_id", "ec2_access_id"), "an access key", "key",
        required=False,
    ),
    Credential(
        ("secret", "secret_key", "aws_secret_access_key", "ec2_secret_key"), "a secret key",
        "secret", required=False,
    ),
    Credential(("token", "aws_session_token"), "a session token", "token", required=False),
    Credential(("aws_profile",), "an AWS CLI profile name", "profile", required=False),
    _REGION,
    Credential(("endpoint", "url"), "an endpoint URL", "endpoint", required=False),
)  # fmt: skip

#: Libcloud's S3 region constants: the S3 driver with its ``region`` preset.
S3_REGIONS: Mapping[str, str] = MappingProxyType(
    {
        "s3_ap_northeast": "ap-northeast-1",
        "s3_ap_northeast_1": "ap-northeast-1",
        "s3_ap_northeast_2": "ap-northeast-2",
        "s3_ap_south": "ap-south-1",
        "s3_ap_southeast": "ap-southeast-1",
        "s3_ap_southeast2": "ap-southeast-2",
        "s3_ca_central": "ca-central-1",
        "s3_cn_north": "cn-north-1",
        "s3_cn_northwest": "cn-northwest-1",
        "s3_eu_central": "eu-central-1",
        "s3_eu_north_1": "eu-north-1",
        "s3_eu_west": "eu-west-1",
        "s3_eu_west_2": "eu-west-2",
        "s3_sa_east": "sa-east-1",
        "s3_us_east_2": "us-east-2",
        "s3_us_gov_west": "us-gov-west-1",
        "s3_us_west": "us-west-1",
        "s3_us_west_oregon": "us-west-2",
    }
)


def _cloudstack(provider: str, prefix: str, *, endpoint_required: bool) -> DriverEntry:
    endpoint = _CS_ENDPOINT if endpoint_required else replace(_CS_ENDPOINT, required=False)
    return DriverEntry(
        "compute",
        provider,
        f"{_CS}:{prefix}NodeDriver",
        f"{_CS}:Async{prefix}NodeDriver",
        kinds=(provider,),
        credentials=(_CS_KEY, _CS_SECRET, endpoint),
        options=_CLOUDSTACK_OPTIONS,
        simulators=_frozen(**{"cloudstack-sim": f"{_SIMULATED}:local_cloudstack"})
        if provider == "cloudstack"
        else _EMPTY,
    )


def _s3(
    provider: str,
    *,
    kinds: tuple[str, ...] = (),
    region: str | None = None,
    credentials: tuple[Credential, ...] = _S3_CREDENTIALS,
) -> DriverEntry:
    return DriverEntry(
        "storage",
        provider,
        f"{_S3}:S3StorageDriver",
        f"{_S3}:AsyncS3StorageDriver",
        preset=_EMPTY if region is None else MappingProxyType({"region": region}),
        kinds=kinds,
        credentials=credentials,
        options=_frozen(addressing="addressing"),
    )


ENTRIES: tuple[DriverEntry, ...] = (
    _cloudstack("cloudstack", "CloudStack", endpoint_required=True),
    _cloudstack("exoscale", "Exoscale", endpoint_required=False),
    _cloudstack("ikoula", "Ikoula", endpoint_required=False),
    DriverEntry(
        "compute",
        "cloudsigma",
        f"{_SIGMA}:CloudSigmaNodeDriver",
        f"{_SIGMA}:AsyncCloudSigmaNodeDriver",
        kinds=("cloudsigma",),
        credentials=(
            Credential(("username", "email", "key", "user"), "the account email"),
            Credential(("password", "secret"), "the password"),
            _REGION,
            Credential(("endpoint", "url"), "an endpoint URL", "endpoint", required=False),
        ),
        options=_CLOUDSIGMA_OPTIONS,
        simulators=_frozen(**{"cloudsigma-sim": f"{_SIMULATED}:local_cloudsigma"}),
    ),
    DriverEntry(
        "compute",
        "ec2",
        f"{_EC2}:EC2NodeDriver",
        f"{_EC2}:AsyncEC2NodeDriver",
        kinds=("aws",),
        credentials=_AWS_CREDENTIALS,
    ),
    DriverEntry(
        "compute",
        "libvirt",
        f"{_LIBVIRT}:LibvirtNodeDriver",
        f"{_LIBVIRT}:AsyncLibvirtNodeDriver",
        kinds=("libvirt",),
        credentials=(
            Credential(("uri", "url", "endpoint"), "a libvirt URI such as qemu:///system", "uri"),
            Credential(("key", "username", "user"), "a user name", "key", required=False),
            Credential(("secret", "password"), "a password", "secret", required=False),
        ),
    ),
    # OpenStack (Nova, Glance, Neutron, Cinder); clouds.yaml and OS_* profiles are this kind
    DriverEntry(
        "compute",
        "openstack",
        f"{_OPENSTACK}:OpenStackNodeDriver",
        f"{_OPENSTACK}:AsyncOpenStackNodeDriver",
        kinds=("openstack",),
        credentials=(
            Credential(("key", "username", "user"), "a user name", "key", required=False),
            Credential(("secret", "password"), "a password", "secret", required=False),
            *_KEYSTONE_SCOPE,
            Credential(
                ("token", "ex_force_auth_token"), "a token", "ex_force_auth_token", required=False
            ),
        ),
        options=_frozen(
            base_url="ex_force_base_url",
            ex_force_base_url="ex_force_base_url",
            interface="ex_force_service_interface",
            microversion="ex_microversion",
            timeout="timeout",
            verify="verify",
        ),
        simulators=_frozen(**{"openstack-sim": f"{_SIMULATED}:local_openstack"}),
    ),
    # Google Compute Engine: a service-account key (Libcloud: user_id = its email, key = the file)
    DriverEntry(
        "compute",
        "gce",
        f"{_GCE}:GCENodeDriver",
        f"{_GCE}:AsyncGCENodeDriver",
        kinds=("gcp",),
        credentials=(
            Credential(
                ("user_id", "client_email", "service_account_email"),
                "the service account's e-mail",
                "user_id",
                required=False,
            ),
            Credential(
                ("key_file", "service_account", "credentials_file"),
                "a service-account JSON key file",
                "key",
                required=False,
                path=True,
            ),
            Credential(("project", "project_id"), "a project", "project", required=False),
            Credential(("zone", "datacenter", "region"), "a zone", "datacenter", required=False),
            Credential(("token", "access_token"), "an access token", "ex_token", required=False),
            Credential(("endpoint", "url"), "an endpoint URL", "endpoint", required=False),
        ),
        simulators=_frozen(**{"gce-sim": f"{_SIMULATED}:local_gce"}),
    ),
    # Azure Resource Manager: a service principal (Libcloud: tenant, subscription, key, secret)
    DriverEntry(
        "compute",
        "azure_arm",
        f"{_AZURE_ARM}:AzureNodeDriver",
        f"{_AZURE_ARM}:AsyncAzureNodeDriver",
        kinds=("azure",),
        credentials=(
            Credential(
                ("tenant", "tenant_id", "azure_tenant_id"),
                "a tenant id",
                "tenant_id",
                required=False,
            ),
            Credential(
                ("subscription", "subscription_id", "azure_subscription_id"),
                "a subscription id",
                "subscription_id",
            ),
            Credential(
                ("client_id", "application_id", "azure_client_id"),
                "a client id",
                "key",
                required=False,
            ),
            Credential(
                ("client_secret", "azure_client_secret"),
                "a client secret",
                "secret",
                required=False,
            ),
            Credential(
                ("management_cert_path", "azure_management_cert_path"),
                "a classic management certificate (refused: that API is retired)",
                "ex_management_certificate",
                required=False,
            ),
            Credential(
                ("resource_group", "ex_resource_group"),
                "a resource group",
                "ex_resource_group",
                required=False,
            ),
            Credential(("location", "region"), "a location", "region", required=False),
            Credential(
                ("management_endpoint", "arm_endpoint"),
                "the Resource Manager URL",
                "endpoint",
                required=False,
            ),
            Credential(
                ("authority", "login_endpoint"),
                "the login authority",
                "ex_authority",
                required=False,
            ),
        ),
        options=_frozen(verify="verify", ca_file="verify", timeout="timeout"),
        simulators=_frozen(**{"azure-sim": f"{_SIMULATED}:local_azure"}),
    ),
    # Azure's classic (ASM) API is retired: constructing the driver says so and names AZURE_ARM
    DriverEntry(
        "compute",
        "azure",
        f"{_AZURE_CLASSIC}:AzureClassicNodeDriver",
        f"{_AZURE_CLASSIC}:AsyncAzureClassicNodeDriver",
    ),
    DriverEntry(
        "dns",
        "route53",
        f"{_ROUTE53}:Route53DNSDriver",
        f"{_ROUTE53}:AsyncRoute53DNSDriver",
        kinds=("aws",),
        credentials=_AWS_CREDENTIALS,
    ),
    DriverEntry(
        "dns",
        "powerdns",
        f"{_POWERDNS}:PowerDNSDriver",
        f"{_POWERDNS}:AsyncPowerDNSDriver",
        kinds=("powerdns",),
        credentials=(
            Credential(("key", "api_key"), "the API key (the server's api-key)"),
            Credential(("endpoint", "url"), "the API URL (http://host:8081)", "endpoint"),
            Credential(("server", "ex_server"), "a server id", "ex_server", required=False),
        ),
    ),
    DriverEntry(
        "container",
        "docker",
        f"{_DOCKER}:DockerContainerDriver",
        f"{_DOCKER}:AsyncDockerContainerDriver",
        kinds=("docker",),
        credentials=(
            Credential(
                ("endpoint", "url", "docker_host"),
                "the daemon (unix:///var/run/docker.sock, tcp://host:2375, https://host:2376)",
                "endpoint",
                required=False,
            ),
            Credential(
                ("cert_file", "tls_cert"),
                "a TLS client certificate file",
                "cert_file",
                required=False,
                path=True,
            ),
            Credential(
                ("key_file", "tls_key"),
                "its private key file",
                "key_file",
                required=False,
                path=True,
            ),
            Credential(
                ("ca_cert", "tls_ca"), "the CA file to trust", "ca_cert", required=False, path=True
            ),
        ),
        options=_frozen(api_version="api_version", stop_timeout="stop_timeout"),
    ),
    DriverEntry(
        "loadbalancer",
        "alb",
        f"{_ALB}:ApplicationLBDriver",
        f"{_ALB}:AsyncApplicationLBDriver",
        kinds=("aws",),
        credentials=_AWS_CREDENTIALS,
    ),
    # classic ELB: no profile kind (an aws profile's load balancer is the ELBv2 entry above)
    DriverEntry("loadbalancer", "elb", f"{_ELB}:ELBDriver", f"{_ELB}:AsyncELBDriver"),
    DriverEntry(
        "loadbalancer",
        "cloudstack",
        f"{_LB}:CloudStackLBDriver",
        f"{_LB}:AsyncCloudStackLBDriver",
        kinds=("cloudstack",),
        credentials=(_CS_KEY, _CS_SECRET, _CS_ENDPOINT),
        options=_CLOUDSTACK_OPTIONS,
        simulators=_frozen(**{"cloudstack-sim": f"{_SIMULATED}:local_cloudstack"}),
    ),
    DriverEntry(
        "storage",
        "local",
        f"{_LOCAL}:LocalStorageDriver",
        f"{_LOCAL}:AsyncLocalStorageDriver",
        kinds=("local", "cloudstack-sim"),
        credentials=(
            Credential(
                ("root", "path"),
                "a root folder",
                required=False,
                options_too=True,
                path=True,
                data_dir="storage",
            ),
        ),
    ),
    # AWS S3 takes the AWS CLI's chain like EC2; the other S3-compatible stores need keys
    _s3("s3", kinds=("s3", "aws"), credentials=_AWS_CREDENTIALS),
    _s3("minio", kinds=("minio",)),
    _s3("ceph", kinds=("ceph",)),
    _s3("swift_s3", kinds=("swift_s3",)),
    DriverEntry(
        "storage",
        "openstack_swift",
        f"{_SWIFT}:OpenStackSwiftStorageDriver",
        f"{_SWIFT}:AsyncOpenStackSwiftStorageDriver",
        kinds=("openstack_swift", "swift", "openstack"),
        credentials=(
            Credential(("key", "username", "user"), "a user name (tempauth: account:user)"),
            Credential(("secret", "password"), "a password (tempauth: the key)"),
            *_KEYSTONE_SCOPE,
        ),
        options=_frozen(
            base_url="ex_force_base_url",
            ex_force_base_url="ex_force_base_url",
            interface="ex_force_service_interface",
            segment_size="segment_size",
        ),
        simulators=_frozen(**{"openstack-sim": f"{_SIMULATED}:local_openstack_swift"}),
    ),
    DriverEntry(
        "storage",
        "azure_blobs",
        f"{_AZURE_BLOBS}:AzureBlobsStorageDriver",
        f"{_AZURE_BLOBS}:AsyncAzureBlobsStorageDriver",
        kinds=("azure",),
        credentials=(
            Credential(("account", "account_name", "key"), "the storage account", required=False),
            Credential(("account_key", "secret"), "the account key", required=False),
            Credential(("endpoint", "url"), "the blob endpoint URL", "endpoint", required=False),
            Credential(("sas_token", "sas"), "a SAS token", "ex_sas_token", required=False),
            Credential(
                ("connection_string",),
                "a connection string",
                "ex_connection_string",
                required=False,
            ),
        ),
    ),
    DriverEntry(
        "storage",
        "google_storage",
        f"{_GCS}:GoogleStorageDriver",
        f"{_GCS}:AsyncGoogleStorageDriver",
        kinds=("gcp",),
        credentials=(
            Credential(
                ("key_file", "service_account", "credentials_file"),
                "a service-account JSON key file",
                "service_account",
                required=False,
                path=True,
            ),
            Credential(("project", "project_id"), "a project", "project", required=False),
            Credential(("token", "access_token"), "an access token", "ex_token", required=False),
            Credential(("endpoint", "url"), "an endpoint URL", "endpoint", required=False),
        ),
    ),
    *(_s3(name, region=region) for name, region in S3_REGIONS.items()),
)
