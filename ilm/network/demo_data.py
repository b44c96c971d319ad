"""The demo network's facts: who exists, where, linked how. Read by `manage.py demo`."""

from __future__ import annotations

from typing import NotRequired, TypedDict

# (provider, name, public address, languages)
type ChannelSpec = tuple[str, str, str, list[str]]
# (name, site type, country, province, workers, nationality mix)
type SiteSpec = tuple[str, str, str, str, int, dict[str, float]]


class OrgSpec(TypedDict):
    slug: str
    name: str
    countries: list[str]
    subkind: NotRequired[str]
    industries: NotRequired[list[str]]


class CSOSpec(OrgSpec):
    channels: list[ChannelSpec]


class SupplierSpec(OrgSpec):
    sites: list[SiteSpec]


class LinkOptions(TypedDict, total=False):
    tier: int
    msa_status: str
    disclosed_to_buyers: bool
    pending: bool


# (kind, customer slug, provider slug, options)
type LinkSpec = tuple[str, str, str, LinkOptions]


TECHNICAL_PARTNER: OrgSpec = {
    "name": "ILM Network Secretariat",
    "countries": ["TH", "MM", "KH", "NP", "MY"],
    "slug": "secretariat",
}

CSOS: list[CSOSpec] = [
    {
        "slug": "th-voice",
        "name": "Migrant Worker Voice Thailand",
        "subkind": "ngo",
        "countries": ["TH"],
        "channels": [
            ("hotline", "Hotline 1300", "+66 2 000 1300", ["th", "my", "km"]),
            ("whatsapp", "WhatsApp Thailand", "+66 80 000 1300", ["th", "my", "km"]),
            ("line", "LINE @mwvthai", "@mwvthai", ["th", "my"]),
            ("messenger", "Facebook Messenger", "fb.me/mwvthai", ["th", "my", "km"]),
        ],
    },
    {
        "slug": "mm-union",
        "name": "Myanmar Migrant Workers Union",
        "subkind": "trade_union",
        "countries": ["MM"],
        "channels": [
            ("viber", "Viber Yangon", "+95 9 000 0130", ["my"]),
            ("hotline", "Hotline Yangon", "+95 1 000 130", ["my"]),
            ("messenger", "Facebook Messenger", "fb.me/mmwu", ["my"]),
        ],
    },
    {
        "slug": "kh-rights",
        "name": "Cambodian Labour Rights Centre",
        "subkind": "ngo",
        "countries": ["KH"],
        "channels": [
            ("hotline", "Hotline Phnom Penh", "+855 23 000 130", ["km"]),
            ("whatsapp", "WhatsApp Cambodia", "+855 12 000 130", ["km"]),
            ("telegram", "Telegram @clrc", "@clrc_help", ["km"]),
        ],
    },
]

BUYERS: list[OrgSpec] = [
    {
        "slug": "northwind",
        "name": "Northwind Foods",
        "subkind": "brand",
        "countries": ["US", "GB"],
        "industries": ["seafood", "poultry"],
    },
    {
        "slug": "harbor",
        "name": "Harbor Retail Group",
        "subkind": "retailer",
        "countries": ["GB", "DE"],
        "industries": ["seafood", "apparel_footwear", "palm_oil"],
    },
    {
        "slug": "pacific",
        "name": "Pacific Apparel Imports",
        "subkind": "importer",
        "countries": ["JP", "AU"],
        "industries": ["apparel_footwear", "electronics"],
    },
]

# nationality mix per site: (nationality, female share of workers)
SUPPLIERS: list[SupplierSpec] = [
    {
        "slug": "siam-ocean",
        "name": "Siam Ocean Foods",
        "countries": ["TH"],
        "industries": ["seafood"],
        "sites": [
            ("Samut Sakhon Plant 1", "processing_plant", "TH", "Samut Sakhon", 1850, {"MM": 0.7, "KH": 0.2, "TH": 0.1}),
            ("Samut Sakhon Plant 2", "processing_plant", "TH", "Samut Sakhon", 1320, {"MM": 0.8, "TH": 0.2}),
            ("Mahachai Dormitory", "dormitory", "TH", "Samut Sakhon", 640, {"MM": 0.85, "KH": 0.15}),
            ("Vessel SOF-12", "fishing_vessel", "TH", "Songkhla", 28, {"MM": 0.6, "KH": 0.4}),
        ],
    },
    {
        "slug": "andaman",
        "name": "Andaman Fisheries",
        "countries": ["TH"],
        "industries": ["seafood"],
        "sites": [
            ("Vessel AF-3", "fishing_vessel", "TH", "Ranong", 31, {"MM": 0.9, "TH": 0.1}),
            ("Ranong Pier Facility", "processing_plant", "TH", "Ranong", 210, {"MM": 0.75, "TH": 0.25}),
        ],
    },
    {
        "slug": "songkhla-canning",
        "name": "Songkhla Canning",
        "countries": ["TH"],
        "industries": ["seafood"],
        "sites": [
            ("Songkhla Cannery", "processing_plant", "TH", "Songkhla", 2400, {"MM": 0.55, "KH": 0.25, "TH": 0.2}),
            ("Vessel SC-7", "fishing_vessel", "TH", "Songkhla", 24, {"KH": 0.7, "MM": 0.3}),
        ],
    },
    {
        "slug": "golden-hen",
        "name": "Golden Hen Poultry",
        "countries": ["TH"],
        "industries": ["poultry"],
        "sites": [
            ("Korat Broiler Farm", "farm", "TH", "Nakhon Ratchasima", 380, {"KH": 0.6, "MM": 0.2, "TH": 0.2}),
            (
                "Saraburi Processing Plant",
                "processing_plant",
                "TH",
                "Saraburi",
                2100,
                {"MM": 0.5, "KH": 0.3, "TH": 0.2},
            ),
            ("Saraburi Dormitory", "dormitory", "TH", "Saraburi", 900, {"MM": 0.6, "KH": 0.4}),
        ],
    },
    {
        "slug": "chao-phraya",
        "name": "Chao Phraya Garments",
        "countries": ["TH"],
        "industries": ["apparel_footwear"],
        "sites": [
            ("Mae Sot Factory", "factory", "TH", "Tak", 1150, {"MM": 0.95, "TH": 0.05}),
            ("Bangkok Cutting Room", "factory", "TH", "Bangkok", 260, {"TH": 0.6, "MM": 0.4}),
        ],
    },
    {
        "slug": "penang-circuit",
        "name": "Penang Circuit Works",
        "countries": ["MY"],
        "industries": ["electronics"],
        "sites": [
            ("Bayan Lepas Plant A", "factory", "MY", "Pulau Pinang", 3200, {"NP": 0.45, "MM": 0.25, "MY": 0.3}),
            ("Bayan Lepas Plant B", "factory", "MY", "Pulau Pinang", 1700, {"NP": 0.5, "BD": 0.2, "MY": 0.3}),
            ("Batu Maung Hostel", "dormitory", "MY", "Pulau Pinang", 1900, {"NP": 0.6, "MM": 0.4}),
        ],
    },
    {
        "slug": "selangor-components",
        "name": "Selangor Components",
        "countries": ["MY"],
        "industries": ["electronics"],
        "sites": [("Shah Alam Factory", "factory", "MY", "Selangor", 780, {"NP": 0.5, "MY": 0.5})],
    },
    {
        "slug": "borneo-palm",
        "name": "Borneo Palm Estates",
        "countries": ["MY"],
        "industries": ["palm_oil"],
        "sites": [
            ("Lahad Datu Estate", "plantation", "MY", "Sabah", 1450, {"ID": 0.8, "PH": 0.2}),
            ("Kinabatangan Estate", "plantation", "MY", "Sabah", 980, {"ID": 0.85, "PH": 0.15}),
            ("Lahad Datu Mill", "processing_plant", "MY", "Sabah", 160, {"ID": 0.7, "MY": 0.3}),
        ],
    },
]

FEMALE_SHARE: dict[str, float] = {
    "processing_plant": 0.6,
    "factory": 0.65,
    "dormitory": 0.5,
    "fishing_vessel": 0.0,
    "farm": 0.35,
    "plantation": 0.3,
}

AGENCIES: list[OrgSpec] = [
    {"slug": "yangon-overseas", "name": "Yangon Overseas Employment", "subkind": "origin", "countries": ["MM"]},
    {"slug": "mandalay-joblink", "name": "Mandalay Job Link", "subkind": "origin", "countries": ["MM"]},
    {"slug": "phnom-penh-manpower", "name": "Phnom Penh Manpower", "subkind": "origin", "countries": ["KH"]},
    {"slug": "kathmandu-fair", "name": "Kathmandu Fair Recruitment", "subkind": "origin", "countries": ["NP"]},
    {"slug": "bangkok-labour", "name": "Bangkok Labour Services", "subkind": "destination", "countries": ["TH"]},
    {"slug": "kl-workforce", "name": "Kuala Lumpur Workforce Solutions", "subkind": "destination", "countries": ["MY"]},
]

# Partners in country action plans and Ethical Recruitment Networks (DOMAIN.md §2): local government.
GOVERNMENTS: list[OrgSpec] = [
    {"slug": "yangon-labour-office", "name": "Yangon Region Labour Office", "countries": ["MM"]},
]

# (kind, customer slug, provider slug, options); every one confirmed unless "pending"
LINKS: list[LinkSpec] = [
    ("supply", "northwind", "siam-ocean", {"tier": 1}),
    ("supply", "northwind", "golden-hen", {"tier": 1}),
    ("supply", "northwind", "songkhla-canning", {"tier": 1}),
    ("supply", "harbor", "siam-ocean", {"tier": 1}),
    ("supply", "harbor", "chao-phraya", {"tier": 1}),
    ("supply", "harbor", "borneo-palm", {"tier": 2}),
    ("supply", "pacific", "chao-phraya", {"tier": 1}),
    ("supply", "pacific", "penang-circuit", {"tier": 1}),
    ("supply", "harbor", "golden-hen", {"tier": 1, "pending": True}),
    ("upstream", "siam-ocean", "andaman", {}),
    ("upstream", "penang-circuit", "selangor-components", {}),
    ("recruitment", "siam-ocean", "bangkok-labour", {"msa_status": "signed", "disclosed_to_buyers": True}),
    ("recruitment", "songkhla-canning", "bangkok-labour", {"msa_status": "reviewed", "disclosed_to_buyers": True}),
    ("recruitment", "bangkok-labour", "yangon-overseas", {"msa_status": "reviewed"}),
    ("recruitment", "golden-hen", "phnom-penh-manpower", {"msa_status": "draft", "disclosed_to_buyers": True}),
    ("recruitment", "chao-phraya", "mandalay-joblink", {"msa_status": "none", "disclosed_to_buyers": False}),
    ("recruitment", "penang-circuit", "kl-workforce", {"msa_status": "signed", "disclosed_to_buyers": True}),
    ("recruitment", "kl-workforce", "kathmandu-fair", {"msa_status": "signed"}),
    ("recruitment", "borneo-palm", "kl-workforce", {"msa_status": "none", "disclosed_to_buyers": False}),
]

COLLABORATIONS: list[tuple[str, str]] = [
    ("th-voice", "northwind"),
    ("th-voice", "harbor"),
    ("mm-union", "yangon-overseas"),
    ("mm-union", "mandalay-joblink"),
    ("kh-rights", "phnom-penh-manpower"),
    ("th-voice", "pacific"),
    ("mm-union", "siam-ocean"),
    ("mm-union", "chao-phraya"),
    ("kh-rights", "golden-hen"),
    ("kh-rights", "songkhla-canning"),
]
