"""Names an analyst reads: French state names for ISO3 codes, words for stage and event codes."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale

STAGE_LABELS = {
    "OFFER": "offre",
    "INTEREST": "intérêt",
    "NEGOTIATION": "négociation",
    "CONTRACT": "contrat",
    "PAYMENT": "paiement",
    "DELIVERY": "livraison",
    "SUSPENSION": "suspension",
}
EVENT_LABELS = {
    "ARMS_TRANSFER": "transfert d'armes",
    "MEETING": "rencontre",
    "EXERCISE": "exercice conjoint",
    "SANCTION": "sanction",
    "AGREEMENT": "accord",
}
MODALITY_LABELS = {"ASSERTED": "affirmé", "PLANNED": "prévu", "POSSIBLE": "possible", "DENIED": "démenti"}
KIND_LABELS = {
    "country": "État",
    "person": "personne",
    "organization": "organisation",
    "system": "système d'arme",
    "place": "lieu",
}

ROLE_LABELS = {
    "head_of_state": "chef de l'État",
    "head_of_government": "chef du gouvernement",
    "defence_minister": "ministre de la Défense",
    "foreign_minister": "ministre des Affaires étrangères",
    "deputy_defence_minister": "vice-ministre de la Défense",
    "deputy_foreign_minister": "vice-ministre des Affaires étrangères",
    "chief_of_general_staff": "chef d'état-major",
    "service_chief": "chef d'armée",
    "military_commission": "commission militaire",
    "arms_agency_head": "directeur d'agence d'armement",
    "company_head": "dirigeant d'entreprise",
    "intelligence_head": "chef du renseignement",
    "spokesperson": "porte-parole",
    "ambassador": "ambassadeur",
    "secretary_general": "secrétaire général",
    "other": "autre fonction",
}


@cache
def _french_territories() -> dict[str, str]:
    return dict(Locale("fr").territories)


@cache
def country_name(iso3: str) -> str:
    """The French name of a state ("Inde" for IND); the code itself when unknown."""
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return _french_territories().get(country.alpha_2, country.name)


def stage_label(stage: str | None) -> str:
    return STAGE_LABELS.get(stage or "", stage or "")


def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind, kind)


# The watch loop's rule kinds (veille.watch.config.RULE_KINDS), as the alerts page shows them.
ALERT_LABELS = {
    "new_deal": "nouveau contrat",
    "new_transfer": "nouveau transfert",
    "stage_advance": "étape franchie",
    "new_conflict": "sources en désaccord",
    "new_sanction": "nouvelle sanction",
}
