"""EC2's protocol constants: the API version and the creates that take a ``ClientToken``."""

from __future__ import annotations

__all__ = ["CLIENT_TOKEN_ACTIONS", "SERVICE", "VERSION"]

SERVICE = "ec2"
VERSION = "2016-11-15"

#: Creates whose ``ClientToken`` makes a resend return the first result instead of a second
#: resource; the EC2 clients add a token to these automatically (``client_token=True`` adds one
#: to any other action that takes it).
CLIENT_TOKEN_ACTIONS = frozenset(
    {
        "AllocateHosts",
        "CopyImage",
        "CreateCapacityReservation",
        "CreateCarrierGateway",
        "CreateClientVpnEndpoint",
        "CreateEgressOnlyInternetGateway",
        "CreateFleet",
        "CreateFlowLogs",
        "CreateInstanceConnectEndpoint",
        "CreateLaunchTemplate",
        "CreateLaunchTemplateVersion",
        "CreateManagedPrefixList",
        "CreateNatGateway",
        "CreateNetworkAcl",
        "CreateNetworkInterface",
        "CreateReplaceRootVolumeTask",
        "CreateRouteTable",
        "CreateTrafficMirrorSession",
        "CreateVolume",
        "CreateVpcEndpoint",
        "ImportImage",
        "ImportSnapshot",
        "RequestSpotInstances",
        "RunInstances",
        "RunScheduledInstances",
    }
)
