"""Names for typing ``get_driver``: each provider's Literal constants and its driver classes.

Read by type checkers only (:mod:`omnicloud._registry` and :mod:`omnicloud.aio` import it under
``TYPE_CHECKING``): importing it imports every driver. A provider added to
:mod:`omnicloud._table` gets its alias here and an overload in each ``get_driver``;
``tests/unit/test_registry_typing.py`` checks that every table entry has one.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from omnicloud._providers import (
    ComputeProvider,
    ContainerProvider,
    DNSProvider,
    LoadBalancerProvider,
    Provider,
    StorageProvider,
)
from omnicloud.compute.drivers.azure_arm import AsyncAzureNodeDriver as AsyncAzureNodeDriver
from omnicloud.compute.drivers.azure_arm import AzureNodeDriver as AzureNodeDriver
from omnicloud.compute.drivers.azure_classic import (
    AsyncAzureClassicNodeDriver as AsyncAzureClassicNodeDriver,
)
from omnicloud.compute.drivers.azure_classic import (
    AzureClassicNodeDriver as AzureClassicNodeDriver,
)
from omnicloud.compute.drivers.cloudsigma import (
    AsyncCloudSigmaNodeDriver as AsyncCloudSigmaNodeDriver,
)
from omnicloud.compute.drivers.cloudsigma import CloudSigmaNodeDriver as CloudSigmaNodeDriver
from omnicloud.compute.drivers.cloudstack import (
    AsyncCloudStackNodeDriver as AsyncCloudStackNodeDriver,
)
from omnicloud.compute.drivers.cloudstack import (
    AsyncExoscaleNodeDriver as AsyncExoscaleNodeDriver,
)
from omnicloud.compute.drivers.cloudstack import AsyncIkoulaNodeDriver as AsyncIkoulaNodeDriver
from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver as CloudStackNodeDriver
from omnicloud.compute.drivers.cloudstack import ExoscaleNodeDriver as ExoscaleNodeDriver
from omnicloud.compute.drivers.cloudstack import IkoulaNodeDriver as IkoulaNodeDriver
from omnicloud.compute.drivers.ec2 import AsyncEC2NodeDriver as AsyncEC2NodeDriver
from omnicloud.compute.drivers.ec2 import EC2NodeDriver as EC2NodeDriver
from omnicloud.compute.drivers.gce import AsyncGCENodeDriver as AsyncGCENodeDriver
from omnicloud.compute.drivers.gce import GCENodeDriver as GCENodeDriver
from omnicloud.compute.drivers.libvirt import (
    AsyncLibvirtNodeDriver as AsyncLibvirtNodeDriver,
)
from omnicloud.compute.drivers.libvirt import LibvirtNodeDriver as LibvirtNodeDriver
from omnicloud.compute.drivers.openstack import (
    AsyncOpenStackNodeDriver as AsyncOpenStackNodeDriver,
)
from omnicloud.compute.drivers.openstack import OpenStackNodeDriver as OpenStackNodeDriver
from omnicloud.container.drivers.docker import (
    AsyncDockerContainerDriver as AsyncDockerContainerDriver,
)
from omnicloud.container.drivers.docker import DockerContainerDriver as DockerContainerDriver
from omnicloud.dns.drivers.powerdns import AsyncPowerDNSDriver as AsyncPowerDNSDriver
from omnicloud.dns.drivers.powerdns import PowerDNSDriver as PowerDNSDriver
from omnicloud.dns.drivers.route53 import AsyncRoute53DNSDriver as AsyncRoute53DNSDriver
from omnicloud.dns.drivers.route53 import Route53DNSDriver as Route53DNSDriver
from omnicloud.loadbalancer.drivers.alb import (
    ApplicationLBDriver as ApplicationLBDriver,
)
from omnicloud.loadbalancer.drivers.alb import (
    AsyncApplicationLBDriver as AsyncApplicationLBDriver,
)
from omnicloud.loadbalancer.drivers.cloudstack import (
    AsyncCloudStackLBDriver as AsyncCloudStackLBDriver,
)
from omnicloud.loadbalancer.drivers.cloudstack import CloudStackLBDriver as CloudStackLBDriver
from omnicloud.loadbalancer.drivers.elb import AsyncELBDriver as AsyncELBDriver
from omnicloud.loadbalancer.drivers.elb import ELBDriver as ELBDriver
from omnicloud.storage.drivers.azure_blobs import (
    AsyncAzureBlobsStorageDriver as AsyncAzureBlobsStorageDriver,
)
from omnicloud.storage.drivers.azure_blobs import (
    AzureBlobsStorageDriver as AzureBlobsStorageDriver,
)
from omnicloud.storage.drivers.gcs import (
    AsyncGoogleStorageDriver as AsyncGoogleStorageDriver,
)
from omnicloud.storage.drivers.gcs import GoogleStorageDriver as GoogleStorageDriver
from omnicloud.storage.drivers.local import AsyncLocalStorageDriver as AsyncLocalStorageDriver
from omnicloud.storage.drivers.local import LocalStorageDriver as LocalStorageDriver
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver as AsyncS3StorageDriver
from omnicloud.storage.drivers.s3 import S3StorageDriver as S3StorageDriver
from omnicloud.storage.drivers.swift import (
    AsyncOpenStackSwiftStorageDriver as AsyncOpenStackSwiftStorageDriver,
)
from omnicloud.storage.drivers.swift import (
    OpenStackSwiftStorageDriver as OpenStackSwiftStorageDriver,
)

# The families, as a first argument.
Compute: TypeAlias = type[ComputeProvider] | Literal["compute"]
Storage: TypeAlias = type[StorageProvider] | Literal["storage"]
LoadBalancer: TypeAlias = type[LoadBalancerProvider] | Literal["loadbalancer"]
DNS: TypeAlias = type[DNSProvider] | Literal["dns"]
Container: TypeAlias = type[ContainerProvider] | Literal["container"]
# A load balancer constant alone names the load balancer family.
CloudStackLBOnly: TypeAlias = Literal[LoadBalancerProvider.CLOUDSTACK]
CloudStack: TypeAlias = Literal[
    Provider.CLOUDSTACK,
    ComputeProvider.CLOUDSTACK,
    "cloudstack",
]
Exoscale: TypeAlias = Literal[
    Provider.EXOSCALE,
    ComputeProvider.EXOSCALE,
    "exoscale",
]
Ikoula: TypeAlias = Literal[
    Provider.IKOULA,
    ComputeProvider.IKOULA,
    "ikoula",
]
CloudSigma: TypeAlias = Literal[
    Provider.CLOUDSIGMA,
    ComputeProvider.CLOUDSIGMA,
    "cloudsigma",
]
EC2: TypeAlias = Literal[
    Provider.EC2,
    ComputeProvider.EC2,
    "ec2",
]
Libvirt: TypeAlias = Literal[
    Provider.LIBVIRT,
    ComputeProvider.LIBVIRT,
    "libvirt",
]
OpenStack: TypeAlias = Literal[
    Provider.OPENSTACK,
    ComputeProvider.OPENSTACK,
    "openstack",
]
GCE: TypeAlias = Literal[
    Provider.GCE,
    ComputeProvider.GCE,
    "gce",
]
AzureARM: TypeAlias = Literal[
    Provider.AZURE_ARM,
    ComputeProvider.AZURE_ARM,
    "azure_arm",
]
# Azure's classic (ASM) API, retired: the class only says so
AzureClassic: TypeAlias = Literal[
    Provider.AZURE,
    ComputeProvider.AZURE,
    "azure",
]
# Docker is a container name only: a lone constant or "docker" names the container family.
Docker: TypeAlias = Literal[
    ContainerProvider.DOCKER,
    "docker",
]
# Route53 is a DNS name only, so a lone constant or "route53" names the DNS family.
Route53: TypeAlias = Literal[
    DNSProvider.ROUTE53,
    "route53",
]
# PowerDNS is a DNS name only, like Route53.
PowerDNS: TypeAlias = Literal[
    DNSProvider.POWERDNS,
    "powerdns",
]
# ELBv2 is a load balancer name only: a lone constant or "alb" names the load balancer family.
ALB: TypeAlias = Literal[
    Provider.ALB,
    LoadBalancerProvider.ALB,
    "alb",
]
# Classic ELB likewise: a lone constant or "elb" names the load balancer family.
ELB: TypeAlias = Literal[
    Provider.ELB,
    LoadBalancerProvider.ELB,
    "elb",
]
CloudStackLB: TypeAlias = Literal[
    Provider.CLOUDSTACK,
    LoadBalancerProvider.CLOUDSTACK,
    "cloudstack",
]
Local: TypeAlias = Literal[
    Provider.LOCAL,
    StorageProvider.LOCAL,
    "local",
]
AzureBlobs: TypeAlias = Literal[
    Provider.AZURE_BLOBS,
    StorageProvider.AZURE_BLOBS,
    "azure_blobs",
]
GoogleStorage: TypeAlias = Literal[
    Provider.GOOGLE_STORAGE,
    StorageProvider.GOOGLE_STORAGE,
    "google_storage",
]
OpenStackSwift: TypeAlias = Literal[
    Provider.OPENSTACK_SWIFT,
    StorageProvider.OPENSTACK_SWIFT,
    "openstack_swift",
]
S3: TypeAlias = Literal[
    Provider.S3,
    StorageProvider.S3,
    Provider.MINIO,
    StorageProvider.MINIO,
    Provider.CEPH,
    StorageProvider.CEPH,
    Provider.SWIFT_S3,
    StorageProvider.SWIFT_S3,
    Provider.S3_AP_NORTHEAST,
    StorageProvider.S3_AP_NORTHEAST,
    Provider.S3_AP_NORTHEAST1,
    StorageProvider.S3_AP_NORTHEAST1,
    Provider.S3_AP_NORTHEAST2,
    StorageProvider.S3_AP_NORTHEAST2,
    Provider.S3_AP_SOUTH,
    StorageProvider.S3_AP_SOUTH,
    Provider.S3_AP_SOUTHEAST,
    StorageProvider.S3_AP_SOUTHEAST,
    Provider.S3_AP_SOUTHEAST2,
    StorageProvider.S3_AP_SOUTHEAST2,
    Provider.S3_CA_CENTRAL,
    StorageProvider.S3_CA_CENTRAL,
    Provider.S3_CN_NORTH,
    StorageProvider.S3_CN_NORTH,
    Provider.S3_CN_NORTHWEST,
    StorageProvider.S3_CN_NORTHWEST,
    Provider.S3_EU_CENTRAL,
    StorageProvider.S3_EU_CENTRAL,
    Provider.S3_EU_NORTH1,
    StorageProvider.S3_EU_NORTH1,
    Provider.S3_EU_WEST,
    StorageProvider.S3_EU_WEST,
    Provider.S3_EU_WEST2,
    StorageProvider.S3_EU_WEST2,
    Provider.S3_SA_EAST,
    StorageProvider.S3_SA_EAST,
    Provider.S3_US_EAST2,
    StorageProvider.S3_US_EAST2,
    Provider.S3_US_GOV_WEST,
    StorageProvider.S3_US_GOV_WEST,
    Provider.S3_US_WEST,
    StorageProvider.S3_US_WEST,
    Provider.S3_US_WEST_OREGON,
    StorageProvider.S3_US_WEST_OREGON,
    "s3",
    "minio",
    "ceph",
    "swift_s3",
    "s3_ap_northeast",
    "s3_ap_northeast_1",
    "s3_ap_northeast_2",
    "s3_ap_south",
    "s3_ap_southeast",
    "s3_ap_southeast2",
    "s3_ca_central",
    "s3_cn_north",
    "s3_cn_northwest",
    "s3_eu_central",
    "s3_eu_north_1",
    "s3_eu_west",
    "s3_eu_west_2",
    "s3_sa_east",
    "s3_us_east_2",
    "s3_us_gov_west",
    "s3_us_west",
    "s3_us_west_oregon",
]
