"""Realistic text for seed data: company and person names, hosts, serials.

Names mix plain ASCII with accents, non-Latin scripts, emoji, quotes,
apostrophes and ampersands, and some are near-duplicates of others (case,
trailing or doubled spaces), because real PSA data looks like that and the
hub must survive it.
"""

from __future__ import annotations

import random
import unicodedata

SURNAMES = (
    "Smith",
    "Johnson",
    "Müller",
    "García",
    "Nguyễn",
    "O'Connor",
    "Dubois",
    "Kowalski",
    "Andersson",
    "Öztürk",
    "Rossi",
    "Schmidt",
    "Brown",
    "Jansen",
    "Søndergaard",
    "Łukasik",
    "Fernández",
    "Williams",
    "Taylor",
    "Dvořák",
    "Papadopoulos",
    "Kim",
    "Tanaka",
    "Murphy",
    "MacLeod",
    "D'Angelo",
    "Van der Berg",
    "Núñez",
    "Björk",
    "Weiß",
    "Singh",
    "Cohen",
)
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Émile",
    "Fatima",
    "Georg",
    "Hannah",
    "Ingrid",
    "José",
    "Kai",
    "Léa",
    "Mohammed",
    "Nina",
    "Oskar",
    "Priya",
    "Quinn",
    "Raúl",
    "Sofía",
    "Thomas",
    "Ursula",
    "Viktor",
    "Wei",
    "Xavier",
    "Yuki",
    "Zoë",
    "Siobhán",
    "Jörg",
    "Małgorzata",
    "Sam",
)
ADJECTIVES = (
    "Northern",
    "Blue",
    "Summit",
    "Harbor",
    "Granite",
    "Evergreen",
    "Lakeside",
    "Pioneer",
    "Silver",
    "Golden",
    "Riverside",
    "Redwood",
    "Metro",
    "Coastal",
    "Alpine",
    "Prairie",
    "Crescent",
    "Orchard",
    "Meridian",
    "Beacon",
)
NOUNS = (
    "Dental",
    "Law",
    "Logistics",
    "Bakery",
    "Builders",
    "Accounting",
    "Veterinary",
    "Clinic",
    "Engineering",
    "Architects",
    "Realty",
    "Insurance",
    "Foods",
    "Printing",
    "Motors",
    "Pharmacy",
    "Consulting",
    "Fitness",
    "Brewing",
    "Hotel",
)
SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "AG", "S.A.", "B.V.", "LLP", "Group", "& Co.", "", "")
SPECIAL_COMPANIES = (
    "Müller & Söhne GmbH",
    "Café Zoë",
    "Ålesund Fiskeri AS",
    "Łódź Logistyka Sp. z o.o.",
    "Société Générale d'Électricité",
    "O'Brien's Pub & Grill",
    '"Quoted" Consulting Ltd',
    "東京テック株式会社",
    "\u0391\u03b8\u03ae\u03bd\u03b1 "  # Greek: "Athens Shipping S.A."
    "\u039d\u03b1\u03c5\u03c4\u03b9\u03bb\u03b9\u03b1\u03ba\u03ae \u0391.\u0395.",
    "🚀 Rocket Labs",
    "Pizza 🍕 Planet",
    "Smith & Sons, Inc.",
    "<Script> Security LLC",
    "Ünal Tekstil A.Ş.",
    "Crème Brûlée Café",
    "AT&T Reseller Partners",
    "Ben & Jerry's Franchise #42",
    "Zürich Treuhand AG",
    "Niño Feliz Guardería",
    "100% Pure Water Co.",
)
STREETS = (
    "Main St",
    "Hauptstraße",
    "Rue de la Paix",
    "High Street",
    "Calle Mayor",
    "Elm Ave",
    "Bahnhofstraße 12a",
    "King's Road",
    "Østergade",
    "Ring Road",
)
CITIES = (
    ("Springfield", "IL", "62701", 237),
    ("München", "BY", "80331", 83),
    ("Paris", "", "75001", 76),
    ("London", "", "SW1A 1AA", 236),
    ("Toronto", "ON", "M5H 2N2", 39),
    ("Sydney", "NSW", "2000", 14),
    ("Amsterdam", "", "1012 AB", 158),
    ("Zürich", "ZH", "8001", 212),
    ("Tōkyō", "", "100-0001", 115),
    ("Tromsø", "", "9008", 166),
    ("Austin", "TX", "73301", 237),
    ("Boston", "MA", "02108", 237),
)
TICKET_TITLES = (
    "Printer offline",
    "Cannot connect to VPN",
    "Outlook keeps asking for password",
    "New starter: set up laptop & accounts",
    "Leaver: disable account",
    "Wi-Fi drops in office",
    "Backup job failed",
    "Disk space low on server",
    "Phishing email reported",
    "Install Adobe Acrobat",
    "Monitor flickering",
    "MFA reset request",
    "Firewall firmware update",
    'Slow PC — "takes ages" to boot',
    "Teams calls dropping",
    "Password reset 🔑",
    "Shared mailbox access",
    "Antivirus alert: quarantined file",
    "UPS on battery",
    "Certificate expiring on web server",
)


def ascii_slug(text: str) -> str:
    """Return ``text`` without accents or symbols, lower-case, for emails and hosts."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def company_names(rng: random.Random, count: int) -> list[str]:
    """Return ``count`` company names, some special and ~2% near-duplicates."""
    names: list[str] = []
    specials = list(SPECIAL_COMPANIES)
    rng.shuffle(specials)
    seen: set[str] = set()
    while len(names) < count:
        roll = rng.random()
        if specials and roll < max(0.08, 20 / max(count, 1)):
            name = specials.pop()
        elif names and roll < 0.12:
            base = rng.choice(names)
            variant = rng.randrange(4)
            name = (base.upper(), base.lower(), base + " ", base.replace(" ", "  ", 1))[variant]
        elif roll < 0.45:
            name = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {rng.choice(SUFFIXES)}"
        else:
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(SUFFIXES)}"
        name = name if name.endswith(" ") and name.strip() in seen else name.rstrip()
        if name in seen and not name.endswith(" "):
            name = f"{name} {len(names)}"
        seen.add(name)
        names.append(name)
    return names


def company_prefix(name: str, company_id: int) -> str:
    """Return a short upper-case host prefix for a company (e.g. ``MULLER``)."""
    slug = ascii_slug(name)[:6].upper() or "CO"
    return f"{slug}{company_id % 100:02d}"


SERIAL_STYLES: dict[str, tuple[str, int]] = {
    "Dell": ("", 7),
    "HP": ("5CD", 7),
    "Lenovo": ("PF", 6),
    "Apple": ("C02", 9),
    "Cisco": ("FTX", 8),
    "Fortinet": ("FGT60F", 10),
    "Ubiquiti": ("", 12),
    "Microsoft": ("", 12),
    "Samsung": ("R58", 8),
}
_SERIAL_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def serial_number(rng: random.Random, manufacturer: str) -> str:
    """Return a serial number in the style of ``manufacturer``."""
    prefix, length = SERIAL_STYLES.get(manufacturer, ("SN", 10))
    return prefix + "".join(rng.choices(_SERIAL_CHARS, k=length))


def phone_number(rng: random.Random) -> str:
    """Return a phone number in one of several national formats."""
    style = rng.randrange(4)
    if style == 0:
        return f"({rng.randint(200, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    if style == 1:
        return f"+49 89 {rng.randint(1000000, 9999999)}"
    if style == 2:
        return f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} 00"
