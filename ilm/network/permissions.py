"""Object-level rules for the network, built on the role table in `ilm.core.permissions`.

network_rules.test_rule("change_site", membership, site)
"""

from __future__ import annotations

from typing import Any

import rules

from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Channel, Link, LinkStatus, Organisation, Site


def _has(action: Action) -> Any:
    @rules.predicate(name=f"has:{action}")
    def predicate(membership: Any) -> bool:
        return can(membership, action)

    return predicate


@rules.predicate
def is_own_organisation(membership: Any, organisation: Organisation) -> bool:
    return organisation is not None and organisation.pk == membership.organisation_id


@rules.predicate
def is_own_site(membership: Any, site: Site | Organisation) -> bool:
    supplier_id = site.pk if isinstance(site, Organisation) else site.supplier_id
    return supplier_id == membership.organisation_id


@rules.predicate
def is_party_to_link(membership: Any, link: Link) -> bool:
    return membership.organisation_id in (link.customer_id, link.provider_id)


@rules.predicate
def awaits_my_confirmation(membership: Any, link: Link) -> bool:
    return (
        link.status == LinkStatus.PROPOSED
        and membership.organisation_id in (link.customer_id, link.provider_id)
        and link.proposed_by_id != membership.organisation_id
    )


@rules.predicate
def is_proposed(membership: Any, link: Link) -> bool:
    return link.status == LinkStatus.PROPOSED


@rules.predicate
def runs_channel(membership: Any, channel: Channel | Organisation) -> bool:
    cso_id = channel.pk if isinstance(channel, Organisation) else channel.cso_id
    return cso_id == membership.organisation_id and membership.organisation_kind == OrgKind.CSO


network_rules = rules.RuleSet()
network_rules.add_rule("create_organisation", _has(Action.CREATE_ORGANISATION))
network_rules.add_rule(
    "change_organisation",
    _has(Action.CHANGE_ANY_ORGANISATION) | (_has(Action.CHANGE_OWN_ORGANISATION) & is_own_organisation),
)
network_rules.add_rule("change_site", _has(Action.CHANGE_ANY_SITE) | (_has(Action.CHANGE_OWN_SITES) & is_own_site))
network_rules.add_rule("propose_link", _has(Action.MANAGE_ANY_LINK) | _has(Action.PROPOSE_LINK))
network_rules.add_rule("change_link", _has(Action.MANAGE_ANY_LINK) | (_has(Action.PROPOSE_LINK) & is_party_to_link))
network_rules.add_rule(
    "confirm_link",
    (_has(Action.MANAGE_ANY_LINK) & is_proposed) | (_has(Action.CONFIRM_LINK) & awaits_my_confirmation),
)
network_rules.add_rule("import_network", _has(Action.IMPORT_NETWORK))
network_rules.add_rule(
    "manage_channel",
    (_has(Action.MANAGE_CHANNELS) & _has(Action.VIEW_WHOLE_NETWORK)) | (_has(Action.MANAGE_CHANNELS) & runs_channel),
)
network_rules.add_rule("manage_collaborations", _has(Action.MANAGE_COLLABORATIONS))


def allowed(rule: str, membership: Any, obj: Any = None) -> bool:
    return membership is not None and network_rules.test_rule(rule, membership, obj)
